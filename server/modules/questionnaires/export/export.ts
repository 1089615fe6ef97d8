import type { ShortAnswer } from '../../content/tables.js';
import type { Citation, QuestionResult } from '../../engine/types.js';
import { toCsv } from '../../audit/csv.js';
import { inCustomerWords } from './vocabulary.js';
import { writeCells, type CellWrite } from './xlsx-writer.js';

/** One question as it goes back to the customer. */
export interface ExportItem {
  id: string;
  sheet: string | null;
  sheetPart: string | null;
  row: number | null;
  question: string;
  answerCell: string | null;
  commentCell: string | null;
  vocabulary: string[] | null;
  answer: ShortAnswer | null;
  text: string | null;
  citations: Citation[];
  status: QuestionResult['status'];
}

/** Sources a customer can follow: library answers are internal workings, the rest are named. */
export function sourcesLine(citations: Citation[]): string {
  const named = citations.filter((c) => c.kind !== 'answer');
  if (!named.length) return '';
  return `Sources: ${named.map((c) => (c.kind === 'control' ? c.id.replace(/^iso(\d+):/, 'ISO/IEC $1 ') : c.title)).join('; ')}`;
}

function commentOf(item: ExportItem): string {
  return [item.text ?? '', sourcesLine(item.citations)].filter(Boolean).join('\n');
}

/** The customer's workbook with answers and explanations written into their own cells. */
export function exportXlsx(original: Uint8Array, items: ExportItem[]): Uint8Array {
  const writes: CellWrite[] = [];
  for (const item of items) {
    if (!item.answer || !item.sheetPart) continue;
    if (item.answerCell) writes.push({ part: item.sheetPart, ref: item.answerCell, value: inCustomerWords(item.answer, item.vocabulary) });
    if (item.commentCell) writes.push({ part: item.sheetPart, ref: item.commentCell, value: commentOf(item) });
  }
  return writeCells(original, writes);
}

export function exportCsv(items: ExportItem[]): string {
  return toCsv(
    ['id', 'sheet', 'row', 'question', 'status', 'answer', 'explanation', 'sources'],
    items.map((i) => [i.id, i.sheet, i.row, i.question, i.status, inCustomerWords(i.answer, i.vocabulary), i.text ?? '', sourcesLine(i.citations)]),
  );
}
