import { ImportError } from './errors.js';
import { cellRef, columnNumber, inRange, type SheetGrid, type Workbook } from './grid.js';

export interface SheetLayout {
  sheet: string;
  /** A domain or category column naming each row's section. */
  sectionColumn?: number | null;
  /** The answer column takes Yes/No (by its header or its list): open answers go to the comment column instead. */
  answerYesNo?: boolean;
  /** The sheet's part inside an xlsx package, where answers are written back. */
  sheetPart: string | null;
  headerRow: number | null;
  questionColumn: number;
  idColumn: number | null;
  answerColumn: number | null;
  commentColumn: number | null;
  /** A column for who owns the control (provider, customer, shared, third party), as CAIQ has. */
  ownershipColumn?: number | null;
  /** That column's own words, from its data-validation list. */
  ownershipVocabulary?: string[] | null;
  /** A column for what the customer must do ("Customer responsibilities", CAIQ's "CSC Responsibilities"). */
  customerDutyColumn?: number | null;
}

export interface ImportedQuestion {
  id: string;
  sheet: string;
  sheetPart: string | null;
  row: number;
  question: string;
  section: string | null;
  questionCell: string;
  answerCell: string | null;
  commentCell: string | null;
  /** The customer's own answer words from a data-validation list, e.g. ["Y", "N", "N/A"]. */
  vocabulary: string[] | null;
  /** Control numbers written elsewhere on the row (a mapping column such as "ISO 27001: A.12.4.1"). */
  refs: string[];
}

/** What the import did with one sheet: questions taken, rows skipped, and why a sheet was left out. */
export interface SheetReport {
  name: string;
  taken: number;
  skipped: number;
  reason: string | null;
}

export interface ImportedQuestionnaire {
  format: Workbook['format'];
  layouts: SheetLayout[];
  questions: ImportedQuestion[];
  sheets: SheetReport[];
  warnings: string[];
}

export interface LayoutOptions {
  /** A column letter ("C") or header text ("Control question") that holds the questions. */
  questionColumn?: string;
  includeHidden?: boolean;
  /** Sheets to read even though they look like the requester's own (instructions, scoring). */
  includeSheets?: string[];
}

const headerPatterns = {
  question: /\b(question|questions|control (question|description|statement|wording)|requirement|criteria|criterion|query|ask)\b/i,
  id: /^(#|id|no\.?|nr\.?|number|ref\.?|reference|item|q ?#|question (id|number|no\.?)|control id|control ref)$/i,
  answer: /\b(answer|response|yes ?\/ ?no|y ?\/ ?n|compliance|compliant|status|in place|implemented)\b/i,
  comment: /\b(comment|comments|explanation|notes?|remarks?|details|justification|evidence|additional information|supporting|implementation description)\b/i,
  section: /^(domain|category|section|area|topic|control (family|domain|area|category)|family|group|chapter|theme|subject)$/i,
};

function rowCells(grid: SheetGrid, row: number): [number, string][] {
  return [...(grid.rows.get(row) ?? new Map()).entries()].map(([c, cell]) => [c, cell.value] as [number, string]).sort((a, b) => a[0] - b[0]);
}

function findHeader(grid: SheetGrid): { row: number; columns: Partial<Record<keyof typeof headerPatterns, number>> } | null {
  const rowNumbers = [...grid.rows.keys()].sort((a, b) => a - b).slice(0, 40);
  let best: { row: number; columns: Partial<Record<keyof typeof headerPatterns, number>>; score: number } | null = null;
  for (const r of rowNumbers) {
    const columns: Partial<Record<keyof typeof headerPatterns, number>> = {};
    for (const [c, value] of rowCells(grid, r)) {
      if (value.length > 60) continue;
      for (const key of ['id', 'section', 'question', 'answer', 'comment'] as const) {
        if (columns[key] === undefined && headerPatterns[key].test(value.trim())) {
          columns[key] = c;
          break;
        }
      }
    }
    const score = Object.keys(columns).filter((k) => k !== 'section').length + (columns.question ? 1 : 0);
    if (score >= 2 && (!best || score > best.score)) best = { row: r, columns, score };
  }
  return best;
}

/** Without a header, the column whose cells read most like questions. */
function guessQuestionColumn(grid: SheetGrid, fromRow: number): number | null {
  const scores = new Map<number, number>();
  for (const [r, row] of grid.rows) {
    if (r <= fromRow) continue;
    for (const [c, cell] of row) {
      const v = cell.value;
      const score = (v.length > 25 ? 1 : 0) + (v.includes('?') ? 2 : 0) + (/^(do|does|is|are|has|have|can|will|how|what|describe|please)\b/i.test(v) ? 2 : 0);
      scores.set(c, (scores.get(c) ?? 0) + score);
    }
  }
  const best = [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  return best && best[1] >= 3 ? best[0] : null;
}

function resolveColumnOverride(grid: SheetGrid, header: number | null, override: string): number | null {
  if (/^[A-Z]{1,3}$/i.test(override)) return columnNumber(override);
  if (header === null) return null;
  const match = rowCells(grid, header).find(([, v]) => v.trim().toLowerCase() === override.trim().toLowerCase());
  return match ? match[0] : null;
}

const OWNERSHIP_HEADER = /\b(ownership|csp[- ]owned|control owner(ship)?|responsib(le|ility) party|responsibility|ssrm|provider ?\/ ?customer|csp ?\/ ?csc|who (owns|is responsible))\b/i;
const OWNERSHIP_WORD = /\b(csp|csc|provider|customer|shared|third[- ]party|3rd party|outsourced|tenant)\b/i;

/** A list of who-owns-it words: at least two of its values name a party. */
export function isOwnershipList(values: string[] | null | undefined): boolean {
  return (values ?? []).filter((v) => OWNERSHIP_WORD.test(v)).length >= 2;
}

const CUSTOMER_DUTY_HEADER = /\b(customer|csc|consumer|tenant|client)('s)? (responsibilit(y|ies)|duties|obligations)\b/i;

/** The column for the customer's part, by its header; found first, as "responsibility" alone also names an ownership column. */
function findCustomerDutyColumn(grid: SheetGrid, headerRow: number | null, taken: (number | null)[]): number | null {
  if (headerRow === null) return null;
  return rowCells(grid, headerRow).find(([c, value]) => !taken.includes(c) && value.length <= 80 && CUSTOMER_DUTY_HEADER.test(value))?.[0] ?? null;
}

/** The ownership column: by its header, else by a list of party words; never a column already taken. */
function findOwnershipColumn(grid: SheetGrid, headerRow: number | null, taken: (number | null)[]): { column: number; vocabulary: string[] | null } | null {
  const listAt = (col: number) => grid.validations.find((v) => v.ranges.some((r) => r.c1 <= col && col <= r.c2))?.values ?? null;
  if (headerRow !== null) {
    for (const [c, value] of rowCells(grid, headerRow)) {
      if (taken.includes(c) || value.length > 80) continue;
      if (OWNERSHIP_HEADER.test(value)) return { column: c, vocabulary: listAt(c) };
    }
  }
  const listed = grid.validations.find((v) => isOwnershipList(v.values) && v.ranges.some((r) => r.c1 === r.c2 && !taken.includes(r.c1)));
  const column = listed?.ranges.find((r) => r.c1 === r.c2 && !taken.includes(r.c1))?.c1;
  return listed && column !== undefined ? { column, vocabulary: listed.values } : null;
}

const YES_NO_HEADER = /\b(yes ?\/ ?no|y ?\/ ?n|yes or no|compliant|compliance|in place|implemented)\b/i;

export function isYesNoList(values: string[] | null | undefined): boolean {
  return Boolean(values?.some((v) => /^(y|yes|true|compliant)$/i.test(v.trim())) && values.some((v) => /^(n|no|false|non-?compliant)$/i.test(v.trim())));
}

const CONTROL_NUMBER = /\b(?:A\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?|CLD\.\d{1,2}\.\d{1,2}\.\d{1,2})\b/gi;

/** Control numbers in the row's other cells; the answer and comment cells are the provider's to fill. */
function rowRefs(row: Map<number, { value: string }>, layout: SheetLayout): string[] {
  const refs = new Set<string>();
  for (const [c, cell] of row) {
    if (c === layout.questionColumn || c === layout.answerColumn || c === layout.commentColumn || c === layout.ownershipColumn || c === layout.customerDutyColumn) continue;
    for (const match of cell.value.match(CONTROL_NUMBER) ?? []) refs.add(match);
  }
  return [...refs];
}

function isMergedAcross(grid: SheetGrid, row: number, col: number): boolean {
  return grid.merges.some((m) => inRange(m, row, col) && m.c2 > m.c1);
}

function detectLayout(grid: SheetGrid, options: LayoutOptions): SheetLayout | null {
  const header = findHeader(grid);
  const headerRow = header?.row ?? null;
  let questionColumn = options.questionColumn ? resolveColumnOverride(grid, headerRow, options.questionColumn) : null;
  if (options.questionColumn && questionColumn === null) return null;
  questionColumn ??= header?.columns.question ?? guessQuestionColumn(grid, headerRow ?? 0);
  if (questionColumn === null) return null;
  let answerColumn = header?.columns.answer ?? null;
  let commentColumn = header?.columns.comment ?? null;
  if (answerColumn === questionColumn) answerColumn = null;
  // No answer column named: the first column right of the question that the validations or the header leave free
  // (a list of party words is an ownership column, not the answer's).
  if (answerColumn === null) {
    const validated = grid.validations.filter((v) => !isOwnershipList(v.values)).flatMap((v) => v.ranges).find((r) => r.c1 > questionColumn! && r.c1 === r.c2);
    answerColumn = validated ? validated.c1 : Math.max(questionColumn, header?.columns.id ?? 0, commentColumn ?? 0) + 1;
  }
  const idColumn = header?.columns.id ?? null;
  const sectionColumn = header?.columns.section ?? null;
  // Found before the comment column falls back to "the next one right": in CAIQ that one is the ownership column.
  const customerDutyColumn = findCustomerDutyColumn(grid, headerRow, [questionColumn, answerColumn, commentColumn, idColumn, sectionColumn]);
  const ownership = findOwnershipColumn(grid, headerRow, [questionColumn, answerColumn, commentColumn, idColumn, sectionColumn, customerDutyColumn]);
  if (commentColumn === null) {
    commentColumn = Math.max(answerColumn, questionColumn, ownership?.column ?? 0) + 1;
    if (commentColumn === customerDutyColumn) commentColumn++;
  }
  const answerHeader = headerRow !== null ? (grid.rows.get(headerRow)?.get(answerColumn)?.value ?? '') : '';
  const answerLists = grid.validations.filter((v) => v.ranges.some((r) => r.c1 <= answerColumn! && answerColumn! <= r.c2)).map((v) => v.values);
  const answerYesNo = YES_NO_HEADER.test(answerHeader) || answerLists.some(isYesNoList);
  return {
    ownershipColumn: ownership?.column ?? null,
    ownershipVocabulary: ownership?.vocabulary ?? null,
    customerDutyColumn,
    answerYesNo,
    sheet: grid.name,
    sheetPart: grid.part ?? null,
    headerRow,
    questionColumn,
    idColumn: idColumn === questionColumn ? null : idColumn,
    answerColumn,
    commentColumn,
    sectionColumn: sectionColumn === questionColumn ? null : sectionColumn,
  };
}

function vocabularyAt(grid: SheetGrid, row: number, col: number | null): string[] | null {
  if (col === null) return null;
  return grid.validations.find((v) => v.ranges.some((r) => inRange(r, row, col)))?.values ?? null;
}

// Sheets a requester keeps for itself: how to fill in, how it scores, what the answers add up to.
const REQUESTER_SHEET =
  /\b(instructions?|read ?me|start here|getting started|how to|guide|guidance|scor(e|es|ing|ecard|ecards)|evaluation|evaluator|analyst|assessor|reviewer|summary|dashboard|results?|report|references?|glossary|definitions?|lookups?|lists?|drop ?downs?|validations?|cover|versions?|change ?log|revisions?|history|about|introduction|intro|contents|toc|legend|crosswalk|mappings?)\b/i;

function filledCells(grid: SheetGrid): GridCellLike[] {
  return [...grid.rows.values()].flatMap((row) => [...row.values()]);
}

type GridCellLike = { value: string; formula?: boolean };

/** Why a sheet is not the vendor's to answer, or null when it is. */
function requesterSheetReason(grid: SheetGrid): string | null {
  if (REQUESTER_SHEET.test(grid.name.replace(/[_-]+/g, ' '))) return 'the sheet is for the requester (instructions, scoring, summary or reference), not for the vendor to answer';
  const cells = filledCells(grid);
  const computed = cells.filter((c) => c.formula).length;
  if (cells.length >= 10 && computed / cells.length > 0.4) return 'most of its cells are computed by formulas (a scoring or summary sheet)';
  return null;
}

function included(grid: SheetGrid, options: LayoutOptions): boolean {
  return (options.includeSheets ?? []).some((name) => name.trim().toLowerCase() === grid.name.trim().toLowerCase());
}

/** Questions, sections and answer cells of every sheet the vendor is asked to answer, in file order. */
export function findQuestions(workbook: Workbook, options: LayoutOptions = {}): ImportedQuestionnaire {
  const layouts: SheetLayout[] = [];
  const questions: ImportedQuestion[] = [];
  const sheets: SheetReport[] = [];
  const warnings: string[] = [];
  const seenIds = new Set<string>();
  for (const grid of workbook.sheets) {
    const rowCount = grid.rows.size;
    const skip = (reason: string) => sheets.push({ name: grid.name, taken: 0, skipped: rowCount, reason });
    const forced = included(grid, options);
    if (grid.hidden && !options.includeHidden && !forced) {
      warnings.push(`sheet "${grid.name}" is hidden and was skipped`);
      skip('the sheet is hidden');
      continue;
    }
    const requester = forced || workbook.sheets.length === 1 ? null : requesterSheetReason(grid);
    if (requester) {
      warnings.push(`sheet "${grid.name}" was skipped: ${requester}`);
      skip(requester);
      continue;
    }
    const layout = detectLayout(grid, options);
    if (!layout) {
      if (rowCount) warnings.push(`sheet "${grid.name}": no question column found`);
      skip('no column of questions was found');
      continue;
    }
    const before = questions.length;
    layouts.push(layout);
    let section: string | null = null;
    for (const r of [...grid.rows.keys()].sort((a, b) => a - b)) {
      if (layout.headerRow !== null && r <= layout.headerRow) continue;
      const row = grid.rows.get(r)!;
      const cell = row.get(layout.questionColumn);
      const idValue = layout.idColumn ? row.get(layout.idColumn)?.value : undefined;
      const filled = [...row.keys()];
      if (!cell) {
        // A lone label elsewhere on the row (often merged across, or bold) names a section.
        const only = filled.length === 1 ? row.get(filled[0])! : null;
        if (only && (isMergedAcross(grid, r, filled[0]) || only.bold || (!idValue && /\s/.test(only.value)))) section = only.value;
        continue;
      }
      const text = cell.value;
      const looksLikeSection =
        !idValue &&
        !text.includes('?') &&
        text.length < 80 &&
        (cell.bold || isMergedAcross(grid, r, layout.questionColumn) || filled.length === 1) &&
        !(layout.answerColumn && vocabularyAt(grid, r, layout.answerColumn) && !cell.bold);
      if (looksLikeSection) {
        section = text;
        continue;
      }
      let id = idValue ?? `${grid.name}!${r}`;
      if (seenIds.has(id)) id = `${grid.name}!${r}`;
      seenIds.add(id);
      const domain = layout.sectionColumn ? row.get(layout.sectionColumn)?.value : undefined;
      questions.push({
        id,
        sheet: grid.name,
        sheetPart: grid.part ?? null,
        row: r,
        question: text,
        section: domain ?? section,
        questionCell: cellRef(r, layout.questionColumn),
        answerCell: layout.answerColumn ? cellRef(r, layout.answerColumn) : null,
        commentCell: layout.commentColumn ? cellRef(r, layout.commentColumn) : null,
        vocabulary: vocabularyAt(grid, r, layout.answerColumn),
        refs: rowRefs(row, layout),
      });
    }
    const taken = questions.length - before;
    sheets.push({ name: grid.name, taken, skipped: Math.max(0, rowCount - taken), reason: null });
  }
  if (questions.length === 0) {
    const skipped = sheets.filter((s) => s.reason && s.reason !== 'no column of questions was found');
    if (skipped.length && !options.questionColumn) {
      throw new ImportError(`No questions found: every sheet was skipped (${skipped.map((s) => `"${s.name}": ${s.reason}`).join('; ')}). Include a sheet to read it anyway.`);
    }
    const hint = options.questionColumn ? `column "${options.questionColumn}" holds no questions` : 'no column of questions was found; name the question column (its letter or header text) or pick it in the preview';
    throw new ImportError(`No questions found: ${hint}.`);
  }
  return { format: workbook.format, layouts, questions, sheets, warnings };
}

