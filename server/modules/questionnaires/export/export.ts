import type { ShortAnswer } from '../../content/tables.js';
import type { Citation, Ownership, QuestionKind, QuestionResult } from '../../engine/types.js';
import { ownershipInWords } from './ownership.js';
import { toCsv } from '../../../lib/csv.js';
import { inCustomerWords } from './vocabulary.js';
import type { ZipLimits } from '../import/zip.js';
import { writeCells, type CellWrite } from './xlsx-writer.js';
import { cellRef } from '../import/grid.js';
import type { SheetLayout } from '../import/layout.js';

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
  /** What the row asks; results stored before kinds existed read as yes/no. */
  kind: QuestionKind;
  /** The answer column takes Yes/No: text for any other kind goes to the comment column. */
  answerYesNo: boolean;
  answer: ShortAnswer | null;
  text: string | null;
  citations: Citation[];
  status: QuestionResult['status'];
  /** Who owns the control, when the row goes out; null: unknown or not sent. */
  ownership?: Ownership;
  /** The workbook's ownership cell for this row, and that column's words. */
  ownershipCell?: string | null;
  ownershipVocabulary?: string[] | null;
  /** What the customer does for the controls behind the answer, and the workbook's cell for it. */
  customerDuty?: string | null;
  customerDutyCell?: string | null;
}

/** The layout's own columns for one row: ownership and customer duties, and whether the answer column takes only Yes/No. */
export function layoutCells(layout: SheetLayout | undefined, row: number | null): Pick<ExportItem, 'answerYesNo' | 'ownershipCell' | 'ownershipVocabulary' | 'customerDutyCell'> {
  return {
    answerYesNo: layout?.answerYesNo ?? false,
    ownershipCell: layout?.ownershipColumn && row ? cellRef(row, layout.ownershipColumn) : null,
    ownershipVocabulary: layout?.ownershipVocabulary ?? null,
    customerDutyCell: layout?.customerDutyColumn && row ? cellRef(row, layout.customerDutyColumn) : null,
  };
}

/** Ownership and customer duties go out only with an answer. */
function goesOut(item: ExportItem): boolean {
  return item.kind !== 'not-a-question' && Boolean(item.answer || item.text);
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

/**
 * The cells one item fills: a canonical answer only in the customer's words and only for a yes/no
 * row; an open, responsibility or field answer never lands in a Yes/No column — its text goes to
 * the comment column, or to the answer column when that takes free text.
 */
export function cellWrites(item: ExportItem): CellWrite[] {
  return [...answerWrites(item), ...responsibilityWrites(item)];
}

/** The ownership column in the workbook's words, and the customer's duties, for a row that goes out with an answer. */
function responsibilityWrites(item: ExportItem): CellWrite[] {
  if (!item.sheetPart || !goesOut(item)) return [];
  const writes: CellWrite[] = [];
  const owner = item.ownershipCell ? ownershipInWords(item.ownership, item.ownershipVocabulary) : '';
  if (owner) writes.push({ part: item.sheetPart, ref: item.ownershipCell!, value: owner });
  if (item.customerDutyCell && item.customerDuty) writes.push({ part: item.sheetPart, ref: item.customerDutyCell, value: item.customerDuty });
  return writes;
}

function answerWrites(item: ExportItem): CellWrite[] {
  if (!item.sheetPart || item.kind === 'not-a-question') return [];
  const part = item.sheetPart;
  if (item.kind === 'yes-no') {
    // A reviewer may explain a yes/no row without choosing Yes or No: the explanation still goes out.
    if (!item.answer && !item.text) return [];
    return [
      ...(item.answerCell && item.answer ? [{ part, ref: item.answerCell, value: inCustomerWords(item.answer, item.vocabulary) }] : []),
      ...(item.commentCell ? [{ part, ref: item.commentCell, value: commentOf(item) }] : []),
    ];
  }
  if (!item.text) return [];
  if (item.answerCell && !item.answerYesNo && !item.vocabulary) {
    const sources = sourcesLine(item.citations);
    return [{ part, ref: item.answerCell, value: item.text }, ...(item.commentCell && sources ? [{ part, ref: item.commentCell, value: sources }] : [])];
  }
  return item.commentCell ? [{ part, ref: item.commentCell, value: commentOf(item) }] : [];
}

/** The customer's workbook with answers and explanations written into their own cells. */
export function exportXlsx(original: Uint8Array, items: ExportItem[], limits?: ZipLimits): Uint8Array {
  return writeCells(original, items.flatMap(cellWrites), limits);
}

export function exportCsv(items: ExportItem[]): string {
  return toCsv(
    ['id', 'sheet', 'row', 'question', 'kind', 'status', 'answer', 'explanation', 'sources', 'ownership', 'customer responsibilities'],
    items.map((i) => [
      i.id,
      i.sheet,
      i.row,
      i.question,
      i.kind,
      i.status,
      i.kind === 'yes-no' ? inCustomerWords(i.answer, i.vocabulary) : '',
      i.text ?? '',
      sourcesLine(i.citations),
      goesOut(i) ? ownershipInWords(i.ownership, i.ownershipVocabulary) : '',
      goesOut(i) ? (i.customerDuty ?? '') : '',
    ]),
  );
}
