/** A workbook as the importer sees it: values only, enough layout to find questions. */
export interface GridCell {
  value: string;
  bold: boolean;
  /** The value is computed by a formula (scoring and summary sheets are made of these). */
  formula?: boolean;
}

export interface CellRange {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
}

export interface ListValidation {
  ranges: CellRange[];
  values: string[];
}

export interface SheetGrid {
  name: string;
  hidden: boolean;
  /** row number (1-based) → column number (1-based) → cell */
  rows: Map<number, Map<number, GridCell>>;
  merges: CellRange[];
  validations: ListValidation[];
  /** Path of the sheet part inside the package (xlsx), for writing back. */
  part?: string;
}

export interface Workbook {
  format: 'xlsx' | 'csv' | 'json';
  sheets: SheetGrid[];
}

export function columnName(col: number): string {
  let name = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export function columnNumber(name: string): number {
  let n = 0;
  for (const ch of name.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

export function parseRef(ref: string): { row: number; col: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d{1,7})$/i.exec(ref.trim());
  return m ? { col: columnNumber(m[1]), row: Number(m[2]) } : null;
}

export function cellRef(row: number, col: number): string {
  return `${columnName(col)}${row}`;
}

/** "A1:C3 E5" → ranges; whole-sheet ranges stay four numbers, never expanded cell by cell. */
export function parseSqref(sqref: string): CellRange[] {
  const ranges: CellRange[] = [];
  for (const part of sqref.trim().split(/\s+/)) {
    const [a, b = a] = part.split(':');
    const start = parseRef(a);
    const end = parseRef(b);
    if (start && end) ranges.push({ r1: Math.min(start.row, end.row), c1: Math.min(start.col, end.col), r2: Math.max(start.row, end.row), c2: Math.max(start.col, end.col) });
  }
  return ranges;
}

export function inRange(range: CellRange, row: number, col: number): boolean {
  return row >= range.r1 && row <= range.r2 && col >= range.c1 && col <= range.c2;
}
