import { knowledgeChanged } from '../../lib/knowledge-version.js';
import { findAnswer } from '../library/queries.js';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Clock } from '../../clock.js';
import { today } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import type { AccessLevel, ShortAnswer } from '../content/tables.js';
import { sha256Of } from '../content/files.js';
import type { Engine } from '../engine/engine.js';
import { summarise } from '../engine/engine.js';
import type { AnswerOptions } from '../engine/types.js';
import { ImportError } from './import/errors.js';
import type { ImportedQuestionnaire, LayoutOptions } from './import/layout.js';
import { detectKind } from './import/parse.js';
import { fileLimits, parseInPool } from './import/run.js';
import type { WorkerPool } from '../jobs/pool.js';
import type { JobQueue } from '../jobs/service.js';
import { findLatestJob } from '../jobs/queries.js';
import * as q from './queries.js';
import type { ReviewState } from './tables.js';
import { checkDetails, countsOf, overviewOf, syncReviewStage } from './workflow.js';
import { bulkDecide } from './bulk.js';
import { createLibraryAnswer, updateLibraryAnswer } from '../library/write.js';
import type { DbOrTx } from '../../db/database.js';

export const AUDIENCES: readonly AccessLevel[] = ['public', 'nda', 'internal'];

export interface UploadInput {
  data: Uint8Array;
  fileName: string;
  name?: string;
  service?: string | null;
  audience?: string;
  layout?: LayoutOptions;
  customer?: string;
  owner?: string;
  dueDate?: string;
}

export function answerOptions(config: Config, clock: Clock, audience: AccessLevel, service: string | null): AnswerOptions {
  return { audience, service, today: today(clock), expiringWithinDays: config.expiringWithinDays };
}

function checkAudience(audience: string | undefined, actorRole: string | null): AccessLevel {
  const value = (audience || 'nda') as AccessLevel;
  if (!AUDIENCES.includes(value)) throw new ValidationError('audience must be public, nda or internal.');
  // Internal answers are for staff eyes; only an admin may produce a file that carries them.
  if (value === 'internal' && actorRole !== 'admin') throw new ForbiddenError('Only an admin may answer with internal content.');
  return value;
}

/** Answers every imported question, in file order. */
export function answerImported(engine: Engine, imported: ImportedQuestionnaire, options: AnswerOptions, onProgress?: (done: number, total: number) => void) {
  const inputs = imported.questions.map((item, i) => {
    const before = imported.questions[i - 1];
    return {
      id: item.id,
      sheet: item.sheet,
      row: item.row,
      question: item.question,
      refs: item.refs,
      section: item.section,
      previous: before && before.sheet === item.sheet ? before.question : null,
      vocabulary: item.vocabulary,
    };
  });
  const { summary, questions } = engine.answerAll(inputs, options, onProgress);
  return { summary, sheets: imported.sheets, questions };
}

export interface UploadDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
  pool: WorkerPool;
  jobs: JobQueue;
}

/**
 * Reads the file (on a pool thread, within the file limits), stores it as "processing" and
 * queues the job that answers it; returns at once with the job's id. A file that cannot be read,
 * or a person or server at their job limit, is refused before anything is stored.
 */
export async function uploadQuestionnaire(deps: UploadDeps, input: UploadInput, by: Actor & { role: string | null }): Promise<{ id: string; jobId: string }> {
  const { db, clock, config } = deps;
  if (input.data.length > config.uploadLimitBytes) throw new ImportError(`The file is larger than the ${Math.round(config.uploadLimitBytes / 1024 / 1024)} MB limit.`, 413);
  const kind = detectKind(input.data, input.fileName);
  const audience = checkAudience(input.audience, by.role);
  const service = input.service || null;
  if (service && !(await db.selectFrom('services').select('id').where('id', '=', service).executeTakeFirst())) throw new ValidationError(`Unknown service "${service}".`);
  // The uploader owns the questionnaire unless someone else is named.
  const details = checkDetails({ customer: input.customer ?? null, owner: input.owner || by.actor, dueDate: input.dueDate ?? null });
  await deps.jobs.checkCapacity(by.actor);
  // Parse before anything is stored: a file that cannot be read leaves nothing behind.
  const imported = await parseInPool(deps.pool, input.data, input.fileName, input.layout ?? {}, fileLimits(config));
  const id = randomUUID();
  const now = clock.now();
  const fileName = path.basename(input.fileName).replace(/[^\w.\- ()]+/g, '_').slice(0, 200) || 'questionnaire';
  const job = await db.transaction().execute(async (tx) => {
    await q.insertQuestionnaire(
      tx,
      {
        id,
        name: (input.name || fileName).slice(0, 200),
        file_name: fileName,
        format: kind,
        size: input.data.length,
        sha256: sha256Of(Buffer.from(input.data)),
        service_id: service,
        audience,
        status: 'processing',
        error: null,
        summary: JSON.stringify({ total: imported.questions.length, answered: 0, review: 0, unanswered: 0, notAQuestion: 0 }),
        layouts: JSON.stringify(imported.layouts),
        sheets: JSON.stringify(imported.sheets),
        warnings: JSON.stringify(imported.warnings),
        created_by: by.actor,
        created_at: now,
        updated_at: now,
        customer: details.customer ?? null,
        owner: details.owner ?? null,
        due_date: details.due_date ?? null,
      },
      input.data,
    );
    const queued = await deps.jobs.enqueue(tx, { kind: 'questionnaire.answer', subject: id, input: { questionnaireId: id, layout: input.layout ?? {} }, createdBy: by.actor });
    await appendAudit(tx, clock, { ...by, action: 'questionnaire.uploaded', subject: id, details: { fileName, questions: imported.questions.length, service, audience } });
    return queued;
  });
  deps.jobs.run(job.id);
  return { id, jobId: job.id };
}

export async function requireQuestionnaire(db: Kysely<Database>, id: string) {
  const found = await q.findQuestionnaire(db, id);
  if (!found) throw new NotFoundError('No such questionnaire.');
  return found;
}

export interface Page {
  offset: number;
  limit: number;
}

/**
 * The JSON contract of DESIGN.md, with each item's review state beside the engine's result.
 * While the file is being answered, `progress` says how far (n of N); with a page, only those
 * questions are read and `page` says where they sit.
 */
export async function questionnaireResult(db: Kysely<Database>, id: string, page: Page | undefined, day: string) {
  const questionnaire = await requireQuestionnaire(db, id);
  const overview = overviewOf(questionnaire, await countsOf(db, id), day);
  const items = await q.listItems(db, id, page ?? {});
  const job = await findLatestJob(db, id, 'questionnaire.answer');
  const processing = questionnaire.status === 'processing';
  return {
    id: questionnaire.id,
    name: questionnaire.name,
    status: questionnaire.status,
    error: questionnaire.error,
    service: questionnaire.service_id,
    audience: questionnaire.audience,
    ...overview,
    warnings: questionnaire.warnings,
    sheets: questionnaire.sheets,
    jobId: job?.id ?? null,
    ...(processing ? { progress: job && job.progress.total ? job.progress : { done: 0, total: questionnaire.summary.total } } : {}),
    summary: !page && items.length ? summarise(items.map((i) => i.result)) : questionnaire.summary,
    ...(page ? { page: { offset: page.offset, limit: page.limit, total: await q.countItems(db, id) } } : {}),
    questions: items.map(toQuestionView),
  };
}

/** One stored question as the API and the review page show it: the engine's result and its review. */
export function toQuestionView(item: Awaited<ReturnType<typeof q.listItems>>[number]) {
  return {
    ...item.result,
    itemId: item.id,
    section: item.section,
    review: {
      state: item.review_state,
      answer: item.final_answer,
      text: item.final_text,
      assignee: item.assignee,
      reviewedBy: item.reviewed_by,
      reviewedAt: item.reviewed_at,
      reason: item.review_reason,
    },
  };
}

const SHORT: readonly ShortAnswer[] = ['Yes', 'No', 'Partial', 'N/A'];

export type EditOutcome = 'questionnaire' | 'update-library' | 'new-library';

export type ReviewAction =
  | { action: 'approve' }
  | { action: 'reject'; reason?: string }
  | {
      action: 'edit';
      answer: string;
      text: string;
      /** Only honoured with `matchConfirmed`: a phrasing must never strengthen a wrong match. */
      saveAsPhrasingOf?: string | null;
      matchConfirmed?: boolean;
      /** What else the correction changes: nothing (default), the matched library answer, or a new one. */
      outcome?: EditOutcome;
      newAnswer?: { kind?: string; controls?: string[]; access?: string };
    }
  | { action: 'assign'; assignee: string | null }
  | { action: 'swap' };

/** What the audit log calls each decision once taken. */
const DONE: Record<ReviewAction['action'], string> = { approve: 'approved', reject: 'rejected', edit: 'edited', assign: 'assigned', swap: 'swapped' };

/** One reviewer decision on one question, on the audit log with it. */
export async function reviewItem(db: Kysely<Database>, clock: Clock, questionnaireId: string, itemId: number, decision: ReviewAction, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const item = await q.findItem(tx, questionnaireId, itemId);
    if (!item) throw new NotFoundError('No such question in this questionnaire.');
    const now = clock.now();
    let details: Record<string, unknown> = { question: item.question };
    if (decision.action === 'approve') {
      if (!item.result.answer && !item.result.text) throw new ValidationError('There is no suggested answer to approve; edit the question to answer it.');
      await q.updateItemReview(tx, item.id, { state: 'approved', answer: item.result.answer, text: item.result.text, by: by.actor, at: now });
    } else if (decision.action === 'reject') {
      await q.updateItemReview(tx, item.id, { state: 'rejected', answer: null, text: null, by: by.actor, at: now, reason: decision.reason?.trim() || null });
      details = { ...details, reason: decision.reason ?? null };
    } else if (decision.action === 'edit') {
      // An open or field row has no Yes/No: an empty answer keeps it so.
      if (decision.answer !== '' && !SHORT.includes(decision.answer as ShortAnswer)) throw new ValidationError('The answer must be Yes, No, Partial, N/A or empty (for open questions).');
      if (!decision.text.trim()) throw new ValidationError('Write the explanation the customer will read.');
      await q.updateItemReview(tx, item.id, { state: 'edited', answer: (decision.answer || null) as ShortAnswer | null, text: decision.text.trim(), by: by.actor, at: now });
      details = { ...details, answer: decision.answer };
      details = { ...details, ...(await applyCorrection(db, clock, tx, item, decision, by)) };
      if (decision.saveAsPhrasingOf && decision.matchConfirmed) {
        await addPhrasing(tx as unknown as Kysely<Database>, decision.saveAsPhrasingOf, item.question, by.actor, now);
        details.savedAsPhrasingOf = decision.saveAsPhrasingOf;
      }
    } else if (decision.action === 'swap') {
      const swapped = await runnerUpAnswer(tx as unknown as Kysely<Database>, item.result.why?.runnerUp?.id ?? null, questionnaireId);
      await q.updateItemReview(tx, item.id, { state: 'edited', answer: swapped.answer, text: swapped.text, by: by.actor, at: now });
      details = { ...details, swappedFrom: item.result.why?.answerId ?? null, swappedTo: swapped.id };
    } else {
      await q.assignItem(tx, item.id, decision.assignee);
      details = { ...details, assignee: decision.assignee };
    }
    await appendAudit(tx, clock, { ...by, action: `questionnaire.item_${DONE[decision.action]}`, subject: `${questionnaireId}#${item.id}`, details });
    await syncReviewStage(tx, questionnaireId, now);
  });
  knowledgeChanged(db);
}

/**
 * Where a reviewer's correction goes besides this questionnaire: into the matched library answer
 * (its previous text stays in the audit entry) or into a new one whose question is this one.
 */
async function applyCorrection(
  db: Kysely<Database>,
  clock: Clock,
  tx: DbOrTx,
  item: NonNullable<Awaited<ReturnType<typeof q.findItem>>>,
  decision: Extract<ReviewAction, { action: 'edit' }>,
  by: Actor,
): Promise<Record<string, unknown>> {
  if (decision.outcome === 'update-library') {
    const target = item.result.why?.answerId;
    if (!target) throw new ValidationError('This answer did not come from a library answer; save it as a new library answer instead.');
    await updateLibraryAnswer(db, clock, target, { explanation: decision.text, ...(decision.answer ? { answer: decision.answer } : {}) }, by, tx);
    return { updatedLibraryAnswer: target };
  }
  if (decision.outcome === 'new-library') {
    const created = await createLibraryAnswer(
      db,
      clock,
      {
        question: item.question,
        kind: decision.newAnswer?.kind || (decision.answer ? 'yes-no' : 'open'),
        answer: decision.answer || null,
        explanation: decision.text,
        controls: decision.newAnswer?.controls?.length ? decision.newAnswer.controls : item.result.controls ?? [],
        access: decision.newAnswer?.access || 'nda',
      },
      by,
      tx,
    );
    return { createdLibraryAnswer: created };
  }
  return {};
}

/** The runner-up library answer, as it reads for the questionnaire's service. */
async function runnerUpAnswer(db: Kysely<Database>, answerId: string | null, questionnaireId: string) {
  if (!answerId) throw new ValidationError('This question has no runner-up answer to use instead.');
  const entry = await findAnswer(db, answerId);
  if (!entry) throw new ValidationError(`The runner-up library answer "${answerId}" no longer exists.`);
  const service = (await q.findQuestionnaire(db, questionnaireId))?.service_id;
  const override = service ? entry.services[service] : undefined;
  return { id: entry.id, answer: override?.answer ?? entry.answer, text: override?.explanation ?? entry.explanation };
}

/** A reviewed question becomes a new phrasing of a library answer, so the next file benefits. */
async function addPhrasing(db: Kysely<Database>, answerId: string, phrasing: string, by: string, at: Date): Promise<void> {
  const answer = await findAnswer(db, answerId);
  if (!answer) throw new ValidationError(`No library answer "${answerId}".`);
  if (answer.phrasings.some((p) => p.toLowerCase() === phrasing.toLowerCase())) return;
  await db
    .updateTable('library_answers')
    .set({ phrasings: JSON.stringify([...answer.phrasings, phrasing]), edited_by: by, edited_at: at })
    .where('id', '=', answerId)
    .execute();
}

/** Approves every question the engine answered with confidence and no one has reviewed yet. */
export async function approveAllAnswered(db: Kysely<Database>, clock: Clock, questionnaireId: string, by: Actor): Promise<number> {
  return (await bulkDecide(db, clock, questionnaireId, { answered: true }, { action: 'approve' }, by)).count;
}

export type { ReviewState };
