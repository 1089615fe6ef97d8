import { strFromU8 } from 'fflate';
import { ImportError } from './errors.js';
import { parseRef, parseSqref, type GridCell, type ListValidation, type SheetGrid, type Workbook } from './grid.js';
import { attr, decodeXml, textOf } from './xml.js';
import { DEFAULT_ZIP_LIMITS, safeUnzip } from './zip.js';

export interface XlsxLimits {
  maxRowsPerSheet: number;
  /** Rows across all sheets: five sheets just under the per-sheet limit are still one file. */
  maxRowsTotal: number;
  maxCells: number;
  /** Bytes the parts that are read may unpack to. */
  maxUnpackedBytes: number;
}

export const DEFAULT_XLSX_LIMITS: XlsxLimits = { maxRowsPerSheet: 20_000, maxRowsTotal: 100_000, maxCells: 2_000_000, maxUnpackedBytes: DEFAULT_ZIP_LIMITS.maxTotalBytes };

/**
 * Only the parts the importer reads are unpacked: the workbook and its relationships first, then
 * the sheets they name, shared strings and styles. Anything else in the package (media, padding,
 * pivot caches) is never inflated.
 */
function readParts(data: Uint8Array, limits: XlsxLimits): Record<string, Uint8Array> {
  const zipLimits = { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: limits.maxUnpackedBytes };
  const index = safeUnzip(data, (name) => name === 'xl/workbook.xml' || name === 'xl/_rels/workbook.xml.rels', zipLimits);
  const rels = index['xl/_rels/workbook.xml.rels'] ? strFromU8(index['xl/_rels/workbook.xml.rels']) : '';
  const targets = new Set([...rels.matchAll(/<Relationship\b[^>]*>/g)].map((m) => resolvePart('xl/workbook.xml', attr(m[0], 'Target') ?? '')));
  const wanted = (name: string) => name === 'xl/sharedStrings.xml' || name === 'xl/styles.xml' || (targets.has(name) && name.startsWith('xl/worksheets/'));
  const budget = { ...zipLimits, maxTotalBytes: limits.maxUnpackedBytes - Object.values(index).reduce((n, part) => n + part.length, 0) };
  return { ...index, ...safeUnzip(data, wanted, budget) };
}

function resolvePart(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

function sharedStrings(xml: string | undefined): string[] {
  if (!xml) return [];
  return [...xml.matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)].map((m) => (m[1] ? textOf(m[1]) : ''));
}

/** Which style ids render bold (section headers are often bold rows). */
function boldStyles(xml: string | undefined): Set<number> {
  const bold = new Set<number>();
  if (!xml) return bold;
  const fonts = /<fonts\b[^>]*>([\s\S]*?)<\/fonts>/.exec(xml)?.[1] ?? '';
  const boldFonts = [...fonts.matchAll(/<font\b[^>]*?(?:\/>|>([\s\S]*?)<\/font>)/g)].map((m) => /<b(\s+val="(1|true)")?\s*\/>/.test(m[1] ?? ''));
  const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(xml)?.[1] ?? '';
  [...xfs.matchAll(/<xf\b[^>]*>/g)].forEach((m, i) => {
    const fontId = Number(attr(m[0], 'fontId') ?? 0);
    if (boldFonts[fontId]) bold.add(i);
  });
  return bold;
}

function definedListValues(formula: string, definedNames: Map<string, string>, readRange: (ref: string) => string[]): string[] {
  const f = decodeXml(formula).trim();
  if (f.startsWith('"')) return f.replace(/^"|"$/g, '').split(',').map((v) => v.trim()).filter(Boolean);
  const target = definedNames.get(f) ?? f;
  return readRange(target.replace(/^=/, ''));
}

interface SheetEntry {
  name: string;
  hidden: boolean;
  part: string;
}

/**
 * Reads the values of an .xlsx/.xlsm package without expanding anything cell by cell that the
 * file declares by range (validations over whole columns stay four numbers).
 */
export function readXlsx(data: Uint8Array, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): Workbook {
  const files = readParts(data, limits);
  const text = (name: string) => (files[name] ? strFromU8(files[name]) : undefined);
  const workbookXml = text('xl/workbook.xml');
  if (!workbookXml) throw new ImportError('This is a zip file but not an Excel workbook (no xl/workbook.xml inside).', 415);
  const rels = text('xl/_rels/workbook.xml.rels') ?? '';
  const relTargets = new Map([...rels.matchAll(/<Relationship\b[^>]*>/g)].map((m) => [attr(m[0], 'Id') ?? '', attr(m[0], 'Target') ?? '']));
  const sheets: SheetEntry[] = [...workbookXml.matchAll(/<sheet\b[^>]*>/g)].map((m) => ({
    name: attr(m[0], 'name') ?? 'Sheet',
    hidden: (attr(m[0], 'state') ?? 'visible') !== 'visible',
    part: resolvePart('xl/workbook.xml', relTargets.get(attr(m[0], 'r:id') ?? '') ?? ''),
  }));
  const definedNames = new Map([...workbookXml.matchAll(/<definedName\b([^>]*)>([\s\S]*?)<\/definedName>/g)].map((m) => [attr(m[0], 'name') ?? '', decodeXml(m[2])]));
  const strings = sharedStrings(text('xl/sharedStrings.xml'));
  const bold = boldStyles(text('xl/styles.xml'));

  let cells = 0;
  let totalRows = 0;
  const grids = new Map<string, SheetGrid>();
  const readSheet = (entry: SheetEntry): SheetGrid => {
    const cached = grids.get(entry.name);
    if (cached) return cached;
    const xml = text(entry.part) ?? '';
    const rows = new Map<number, Map<number, GridCell>>();
    let rowCount = 0;
    for (const rowMatch of xml.matchAll(/<row\b([^>]*)>([\s\S]*?)<\/row>/g)) {
      const rowNumber = Number(attr(rowMatch[0], 'r') ?? rowCount + 1);
      if (++rowCount > limits.maxRowsPerSheet) throw new ImportError(`Sheet "${entry.name}" has more than ${limits.maxRowsPerSheet} rows; split the questionnaire or raise the limit.`, 413);
      if (++totalRows > limits.maxRowsTotal) throw new ImportError(`The workbook has more than ${limits.maxRowsTotal.toLocaleString('en')} rows across its sheets, more than one questionnaire file may hold. Split it into smaller files.`, 413);
      const row = new Map<number, GridCell>();
      for (const c of rowMatch[2].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const ref = parseRef(attr(c[0], 'r') ?? '');
        if (!ref || !c[2]) continue;
        const type = attr(c[0], 't');
        const v = /<v>([\s\S]*?)<\/v>/.exec(c[2])?.[1];
        let value = '';
        if (type === 's') value = strings[Number(v)] ?? '';
        else if (type === 'inlineStr') value = textOf(c[2]);
        else if (type === 'b') value = v === '1' ? 'TRUE' : 'FALSE';
        else value = v !== undefined ? decodeXml(v) : '';
        if (value.trim() === '') continue;
        if (++cells > limits.maxCells) throw new ImportError(`The workbook has more than ${limits.maxCells} filled cells, more than a questionnaire needs.`, 413);
        row.set(ref.col, { value: value.trim(), bold: bold.has(Number(attr(c[0], 's') ?? -1)), formula: /<f[\s>/]/.test(c[2]) });
      }
      if (row.size) rows.set(rowNumber, row);
    }
    const merges = [...xml.matchAll(/<mergeCell\b[^>]*>/g)].flatMap((m) => parseSqref(attr(m[0], 'ref') ?? ''));
    const grid: SheetGrid = { name: entry.name, hidden: entry.hidden, rows, merges, validations: [], part: entry.part };
    grids.set(entry.name, grid);
    grid.validations = listValidations(xml, definedNames, (ref) => valuesOfRange(ref, entry.name));
    return grid;
  };

  const valuesOfRange = (ref: string, currentSheet: string): string[] => {
    const m = /^(?:'?([^'!]+)'?!)?(.+)$/.exec(ref);
    if (!m) return [];
    const entry = sheets.find((s) => s.name === (m[1] ?? currentSheet));
    const range = parseSqref(m[2].replace(/\$/g, ''))[0];
    if (!entry || !range || (range.r2 - range.r1 + 1) * (range.c2 - range.c1 + 1) > 500) return [];
    const grid = entry.name === currentSheet ? grids.get(entry.name) : readSheet(entry);
    const values: string[] = [];
    for (let r = range.r1; r <= range.r2; r++) for (let col = range.c1; col <= range.c2; col++) {
      const value = grid?.rows.get(r)?.get(col)?.value;
      if (value) values.push(value);
    }
    return values;
  };

  function listValidations(xml: string, names: Map<string, string>, readRange: (ref: string) => string[]): ListValidation[] {
    const out: ListValidation[] = [];
    for (const m of xml.matchAll(/<(?:x14:)?dataValidation\b([^>]*)>([\s\S]*?)<\/(?:x14:)?dataValidation>/g)) {
      if (attr(m[0], 'type') !== 'list') continue;
      const formula = /<(?:x14:)?formula1>(?:<xm:f>)?([\s\S]*?)(?:<\/xm:f>)?<\/(?:x14:)?formula1>/.exec(m[2])?.[1];
      const sqref = attr(m[0], 'sqref') ?? /<xm:sqref>([\s\S]*?)<\/xm:sqref>/.exec(m[2])?.[1] ?? '';
      if (!formula) continue;
      const values = definedListValues(formula, names, readRange);
      if (values.length) out.push({ ranges: parseSqref(sqref), values });
    }
    return out;
  }

  return { format: 'xlsx', sheets: sheets.map(readSheet) };
}
