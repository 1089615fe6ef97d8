import { strFromU8, strToU8 } from 'fflate';
import { parseRef } from '../import/grid.js';
import { encodeXml } from '../import/xml.js';
import { DEFAULT_ZIP_LIMITS, safeUnzip, type ZipLimits } from '../import/zip.js';
import { patchZip } from './zip-patch.js';
import { neutralise } from '../../../lib/csv.js';

export interface CellWrite {
  /** The sheet part, e.g. xl/worksheets/sheet1.xml */
  part: string;
  ref: string;
  value: string;
}

function cellXml(ref: string, value: string, style: string | null): string {
  const text = encodeXml(neutralise(value));
  const space = /^\s|\s$|\n/.test(text) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${style ? ` s="${style}"` : ''} t="inlineStr"><is><t${space}>${text}</t></is></c>`;
}

/** Writes one cell into a row's XML, replacing the cell if present, else in column order. */
function writeIntoRow(rowXml: string, ref: string, col: number, value: string): { xml: string; hadFormula: boolean } {
  const open = /^<row\b[^>]*?(\/?)>/.exec(rowXml)!;
  const body = open[1] === '/' ? '' : rowXml.slice(open[0].length, rowXml.length - '</row>'.length);
  const cells = [...body.matchAll(/<c\b[^>]*?(?:\/>|>[\s\S]*?<\/c>)/g)];
  let hadFormula = false;
  let inserted = false;
  const out: string[] = [];
  for (const m of cells) {
    const cellRefMatch = /\sr="([A-Z]+\d+)"/.exec(m[0]);
    const cellCol = cellRefMatch ? parseRef(cellRefMatch[1])!.col : 0;
    if (!inserted && cellCol === col) {
      hadFormula = /<f\b/.test(m[0]);
      out.push(cellXml(ref, value, /\ss="(\d+)"/.exec(m[0])?.[1] ?? null));
      inserted = true;
      continue;
    }
    if (!inserted && cellCol > col) {
      out.push(cellXml(ref, value, null));
      inserted = true;
    }
    out.push(m[0]);
  }
  if (!inserted) out.push(cellXml(ref, value, null));
  const start = open[0].replace(/\/>$/, '>');
  return { xml: `${start}${out.join('')}</row>`, hadFormula };
}

function writeIntoSheet(xml: string, writes: { ref: string; value: string }[]): { xml: string; hadFormula: boolean } {
  const dataStart = xml.search(/<sheetData\b/);
  if (dataStart < 0) return { xml, hadFormula: false };
  const selfClosing = /<sheetData\s*\/>/.exec(xml);
  let sheetData: string;
  let before: string;
  let after: string;
  if (selfClosing) {
    before = xml.slice(0, selfClosing.index);
    after = xml.slice(selfClosing.index + selfClosing[0].length);
    sheetData = '';
  } else {
    const openEnd = xml.indexOf('>', dataStart) + 1;
    const close = xml.indexOf('</sheetData>', openEnd);
    before = xml.slice(0, openEnd);
    sheetData = xml.slice(openEnd, close);
    after = xml.slice(close + '</sheetData>'.length);
    before = before.slice(0, dataStart);
  }
  // Only the rows that change are parsed; the rest of the sheet passes through untouched.
  const rows = new Map<number, { ref: string; col: number; value: string }[]>();
  for (const w of writes) {
    const p = parseRef(w.ref);
    if (!p) continue;
    if (!rows.has(p.row)) rows.set(p.row, []);
    rows.get(p.row)!.push({ ref: w.ref.toUpperCase(), col: p.col, value: w.value });
  }
  let hadFormula = false;
  const pieces: string[] = [];
  let cursor = 0;
  const pending = [...rows.keys()].sort((a, b) => a - b);
  const emit = (row: number) => {
    let rowXml = `<row r="${row}"/>`;
    for (const w of rows.get(row)!) rowXml = writeIntoRow(rowXml, w.ref, w.col, w.value).xml;
    pieces.push(rowXml);
  };
  for (const m of sheetData.matchAll(/<row\b[^>]*?(?:\/>|>[\s\S]*?<\/row>)/g)) {
    const r = Number(/\sr="(\d+)"/.exec(m[0])?.[1] ?? 0);
    while (pending.length && pending[0] < r) emit(pending.shift()!);
    pieces.push(sheetData.slice(cursor, m.index));
    cursor = m.index! + m[0].length;
    if (pending[0] === r) {
      pending.shift();
      let rowXml = m[0];
      for (const w of rows.get(r)!) {
        const result = writeIntoRow(rowXml, w.ref, w.col, w.value);
        rowXml = result.xml;
        hadFormula ||= result.hadFormula;
      }
      pieces.push(rowXml);
    } else pieces.push(m[0]);
  }
  pieces.push(sheetData.slice(cursor));
  while (pending.length) emit(pending.shift()!);
  return { xml: `${before}<sheetData>${pieces.join('')}</sheetData>${after}`, hadFormula };
}

/**
 * Fills cells of the customer's own workbook by editing only the sheet XML that changes inside
 * the package, so whatever a library would not understand (charts, pivot tables, macros,
 * shared formulas, whole-sheet validations) is carried over byte for byte. Only the sheets
 * written to (and, when a formula is overwritten, the two small index parts) are unpacked; the
 * rest is copied still compressed.
 */
export function writeCells(original: Uint8Array, writes: CellWrite[], limits: ZipLimits = DEFAULT_ZIP_LIMITS): Uint8Array {
  const byPart = new Map<string, CellWrite[]>();
  for (const w of writes) {
    if (!byPart.has(w.part)) byPart.set(w.part, []);
    byPart.get(w.part)!.push(w);
  }
  const ct = '[Content_Types].xml';
  const rels = 'xl/_rels/workbook.xml.rels';
  const files = safeUnzip(original, (name) => byPart.has(name) || name === ct || name === rels, limits);
  const replace = new Map<string, Uint8Array | null>();
  let droppedFormula = false;
  for (const [part, partWrites] of byPart) {
    if (!files[part]) continue;
    const result = writeIntoSheet(strFromU8(files[part]), partWrites);
    replace.set(part, strToU8(result.xml));
    droppedFormula ||= result.hadFormula;
  }
  if (droppedFormula) {
    // The calculation chain names the formula cells we overwrote; Excel rebuilds it when absent.
    replace.set('xl/calcChain.xml', null);
    if (files[ct]) replace.set(ct, strToU8(strFromU8(files[ct]).replace(/<Override[^>]*calcChain[^>]*\/>/, '')));
    if (files[rels]) replace.set(rels, strToU8(strFromU8(files[rels]).replace(/<Relationship[^>]*calcChain[^>]*\/>/, '')));
  }
  return patchZip(original, replace);
}
