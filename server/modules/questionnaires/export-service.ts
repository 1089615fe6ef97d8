import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import type { Config } from '../../config.js';
import type { WorkerPool } from '../jobs/pool.js';
import { layoutCells, type ExportItem } from './export/export.js';
import { inCustomerWords } from './export/vocabulary.js';
import { ownershipInWords } from './export/ownership.js';
import type { SheetLayout } from './import/layout.js';
import * as q from './queries.js';
import { requireQuestionnaire } from './service.js';

type Item = Awaited<ReturnType<typeof q.listItems>>[number];

/**
 * What goes back to the customer: approved and edited answers, and confident answers nobody
 * has reviewed yet; suggestions awaiting review, rejections and abstentions stay blank.
 */
export function toExportItem(item: Item, layouts: SheetLayout[] = []): ExportItem {
  const layout = layouts.find((l) => l.sheet === item.sheet);
  const reviewed = item.review_state === 'approved' || item.review_state === 'edited';
  const include = reviewed || (item.review_state === 'pending' && item.status === 'answered');
  return {
    // A reviewer who gives a row a canonical answer decides it is a yes/no row.
    kind: item.review_state === 'edited' && item.final_answer ? 'yes-no' : (item.result.kind ?? 'yes-no'),
    ...layoutCells(layout, item.row),
    ownership: item.result.ownership ?? null,
    customerDuty: item.result.customerDuty ?? null,
    id: item.ext_id,
    sheet: item.sheet,
    sheetPart: item.sheet_part,
    row: item.row,
    question: item.question,
    answerCell: item.answer_cell,
    commentCell: item.comment_cell,
    vocabulary: item.vocabulary,
    answer: include ? (reviewed ? item.final_answer : item.result.answer) : null,
    text: include ? (reviewed ? item.final_text : item.result.text) : null,
    citations: include && item.review_state !== 'edited' ? item.result.citations : [],
    status: item.status,
  };
}

/** The answers as data: what the workbook would carry, with the review state and ownership of each row. */
export function jsonExport(questionnaire: Awaited<ReturnType<typeof requireQuestionnaire>>, items: Item[], layouts: SheetLayout[], at: Date) {
  return {
    questionnaire: { id: questionnaire.id, name: questionnaire.name, customer: questionnaire.customer, owner: questionnaire.owner, dueDate: questionnaire.due_date, exportedAt: at.toISOString() },
    questions: items.map((item) => {
      const out = toExportItem(item, layouts);
      return {
        id: out.id,
        sheet: out.sheet,
        row: out.row,
        question: out.question,
        kind: out.kind,
        status: out.status,
        review: item.review_state,
        answer: out.kind === 'yes-no' ? inCustomerWords(out.answer, out.vocabulary) || null : null,
        text: out.text,
        ownership: item.result.ownership ?? null,
        ownershipInWords: out.answer || out.text ? ownershipInWords(out.ownership, out.ownershipVocabulary) || null : null,
        customerResponsibilities: out.answer || out.text ? (out.customerDuty ?? null) : null,
        sources: out.citations.filter((c) => c.kind !== 'answer').map((c) => ({ kind: c.kind, id: c.id, title: c.title })),
      };
    }),
  };
}

export interface ExportDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
  pool: WorkerPool;
}

/** The answered file; the writing runs on the worker pool, the caller awaits it. */
export async function exportQuestionnaire(deps: ExportDeps, id: string, format: string, by: Actor): Promise<{ body: Buffer | string; fileName: string; mediaType: string }> {
  const { db, clock, pool } = deps;
  const questionnaire = await requireQuestionnaire(db, id);
  if (questionnaire.status !== 'ready') throw new ValidationError('The questionnaire is not ready yet.');
  const layouts = questionnaire.layouts as SheetLayout[];
  const items = (await q.listItems(db, id)).map((item) => toExportItem(item, layouts));
  const base = questionnaire.file_name.replace(/\.[^.]+$/, '');
  let result: { body: Buffer | string; fileName: string; mediaType: string };
  if (format === 'csv') {
    result = { body: await pool.run('exportCsv', { items }), fileName: `${base}-answered.csv`, mediaType: 'text/csv; charset=utf-8' };
  } else if (format === 'xlsx') {
    if (questionnaire.format !== 'xlsx') throw new ValidationError('The original file is not a workbook; export it as CSV (format=csv).');
    const original = await q.findOriginal(db, id);
    if (!original) throw new ValidationError('The original workbook is missing.');
    const ext = questionnaire.file_name.toLowerCase().endsWith('.xlsm') ? 'xlsm' : 'xlsx';
    result = {
      body: Buffer.from(await pool.run('exportXlsx', { original, items, unpackedBytes: deps.config.limits.unpackedBytes }, { timeoutMs: 60_000, label: 'Writing the workbook', transfer: [original.buffer as ArrayBuffer] })),
      fileName: `${base}-answered.${ext}`,
      mediaType: ext === 'xlsm' ? 'application/vnd.ms-excel.sheet.macroEnabled.12' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
  } else if (format === 'json') {
    result = { body: JSON.stringify(jsonExport(questionnaire, await q.listItems(db, id), layouts, clock.now()), null, 2), fileName: `${base}-answered.json`, mediaType: 'application/json; charset=utf-8' };
  } else throw new ValidationError('format must be xlsx, csv or json.');
  await appendAudit(db, clock, { ...by, action: 'questionnaire.exported', subject: id, details: { format } });
  return result;
}
