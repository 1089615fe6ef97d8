import iconv from 'iconv-lite';
import { ImportError } from './errors.js';
import type { GridCell, Workbook } from './grid.js';

/** Text as a spreadsheet program wrote it: UTF-8 or UTF-16 with or without BOM, else Windows-1252. */
export function decodeText(data: Uint8Array): string {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(buf.subarray(2), 'utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf16be');
  // UTF-16 without BOM shows as every other byte zero.
  const sample = buf.subarray(0, 200);
  const zeros = sample.filter((b, i) => i % 2 === 1 && b === 0).length;
  if (sample.length > 10 && zeros > sample.length / 4) return iconv.decode(buf, 'utf16le');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return iconv.decode(buf, 'win1252');
  }
}

/** The delimiter that splits the first records most consistently into more than one field. */
export function sniffDelimiter(text: string): string {
  const sample = text.slice(0, 20_000);
  let best = ',';
  let bestScore = -1;
  for (const d of [',', ';', '\t', '|']) {
    const records = parseCsv(sample, d, Number.MAX_SAFE_INTEGER).slice(0, 20).filter((r) => r.some((f) => f.trim()));
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    const [mode, times] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] ?? [1, 0];
    const score = mode > 1 ? (times / records.length) * 100 + mode : 0;
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

/**
 * RFC 4180 records: quoted fields may hold delimiters, quotes ("") and line breaks. Text is
 * taken in runs (up to the next quote or separator), never a character at a time: a
 * multi-megabyte cell costs one slice, not millions of string appends.
 */
export function parseCsv(text: string, delimiter: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (quoted) {
      const quote = text.indexOf('"', i);
      if (quote < 0) {
        field += text.slice(i);
        break;
      }
      field += text.slice(i, quote);
      if (text[quote + 1] === '"') {
        field += '"';
        i = quote + 2;
      } else {
        quoted = false;
        i = quote + 1;
      }
      continue;
    }
    const c = text[i];
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      if (rows.length > maxRows) throw new ImportError(`The file has more than ${maxRows} rows; split the questionnaire or raise the limit.`, 413);
      row = [];
      field = '';
      i++;
    } else {
      let j = i + 1;
      while (j < n && text[j] !== delimiter && text[j] !== '"' && text[j] !== '\n' && text[j] !== '\r') j++;
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function readCsv(data: Uint8Array, maxRows = 20_000): Workbook {
  const text = decodeText(data);
  if (text.includes('\u0000')) throw new ImportError('This file is binary, not a CSV text file.', 415);
  const records = parseCsv(text, sniffDelimiter(text), maxRows);
  const rows = new Map<number, Map<number, GridCell>>();
  records.forEach((record, r) => {
    const row = new Map<number, GridCell>();
    record.forEach((value, c) => {
      if (value.trim()) row.set(c + 1, { value: value.trim(), bold: false });
    });
    if (row.size) rows.set(r + 1, row);
  });
  return { format: 'csv', sheets: [{ name: 'CSV', hidden: false, rows, merges: [], validations: [] }] };
}
