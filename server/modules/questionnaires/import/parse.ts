import path from 'node:path';
import { readCsv } from './csv.js';
import { ImportError } from './errors.js';
import { columnName, type Workbook } from './grid.js';
import { readJson } from './json.js';
import { findQuestions, type ImportedQuestionnaire, type LayoutOptions } from './layout.js';
import { DEFAULT_XLSX_LIMITS, readXlsx, type XlsxLimits } from './xlsx.js';

export type FileKind = 'xlsx' | 'csv' | 'json';

const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** What the bytes are, whatever the name says; a wrong extension is refused with the reason. */
export function detectKind(data: Uint8Array, fileName: string): FileKind {
  const ext = path.extname(fileName).toLowerCase();
  if (data.length === 0) throw new ImportError('The file is empty.');
  if (OLE.every((b, i) => data[i] === b)) {
    // Office keeps password-protected .xlsx files in the old compound format, with an EncryptionInfo stream.
    const head = Buffer.from(data.subarray(0, Math.min(data.length, 64 * 1024))).toString('latin1').replace(/\u0000/g, '');
    if (head.includes('EncryptionInfo') || head.includes('EncryptedPackage')) {
      throw new ImportError('The workbook is password-protected. Remove the password (File → Info → Protect Workbook) and upload it again.');
    }
    throw new ImportError('Legacy .xls workbooks are not supported. Open it in Excel or LibreOffice and save it as .xlsx, then upload that.', 415);
  }
  const isZip = data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;
  if (isZip) {
    if (!['.xlsx', '.xlsm', ''].includes(ext)) throw new ImportError(`The file is a zip package, not a ${ext} file. Upload an .xlsx, .xlsm, .csv or .json questionnaire.`, 415);
    return 'xlsx';
  }
  if (ext === '.xlsx' || ext === '.xlsm') throw new ImportError(`${fileName} is named like a workbook but is not one (it is not a zip package). Save it again from the spreadsheet program.`, 415);
  if (ext === '.json') return 'json';
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv' || ext === '') return 'csv';
  throw new ImportError(`Files of type ${ext} are not questionnaires Evident can read. Upload .xlsx, .xlsm, .csv or .json.`, 415);
}

export function readWorkbook(data: Uint8Array, fileName: string, limits: Partial<XlsxLimits> = {}): Workbook {
  const kind = detectKind(data, fileName);
  if (kind === 'xlsx') return readXlsx(data, { ...DEFAULT_XLSX_LIMITS, ...limits });
  if (kind === 'json') return readJson(data);
  return readCsv(data);
}

export function parseQuestionnaire(data: Uint8Array, fileName: string, options: LayoutOptions = {}, limits: Partial<XlsxLimits> = {}): ImportedQuestionnaire {
  return findQuestions(readWorkbook(data, fileName, limits), options);
}

export interface SheetPreview {
  sheet: string;
  hidden: boolean;
  columns: string[];
  rows: { row: number; cells: string[] }[];
}

/** The first rows of every sheet, so a person can point at the question column. */
export function previewWorkbook(data: Uint8Array, fileName: string, maxRows = 12, limits: Partial<XlsxLimits> = {}): SheetPreview[] {
  return readWorkbook(data, fileName, limits).sheets.map((grid) => {
    const numbers = [...grid.rows.keys()].sort((a, b) => a - b).slice(0, maxRows);
    const width = Math.min(26, Math.max(1, ...numbers.flatMap((r) => [...grid.rows.get(r)!.keys()])));
    const columns = Array.from({ length: width }, (_, i) => columnName(i + 1));
    return {
      sheet: grid.name,
      hidden: grid.hidden,
      columns,
      rows: numbers.map((r) => ({ row: r, cells: columns.map((_, c) => (grid.rows.get(r)!.get(c + 1)?.value ?? '').slice(0, 120)) })),
    };
  });
}
