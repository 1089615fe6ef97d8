import type { Kysely } from 'kysely';
import { listEvidence } from '../evidence/queries.js';
import { listAnswers, type LibraryAnswer } from '../library/queries.js';
import type { Clock } from '../../clock.js';
import { today } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import type { Engine } from '../engine/engine.js';
import { freshnessOf } from '../evidence/freshness.js';
import { findLatestJob } from '../jobs/queries.js';
import { toExportItem } from './export-service.js';
import type { SheetLayout } from './import/layout.js';
import * as q from './queries.js';
import { answerOptions, requireQuestionnaire } from './service.js';
import { countsOf, syncReviewStage } from './workflow.js';

type Item = Awaited<ReturnType<typeof q.listItems>>[number];

/** Why a row's answer may no longer hold: something it cites changed or went stale since answering. */
export interface StaleReason {
  itemId: number;
  id: string;
  question: string;
  reasons: string[];
}

/** When the rows were answered: the answering job's end (re-answered rows count from their review reset). */
async function answeredAt(db: DbOrTx, questionnaireId: string, fallback: Date): Promise<Date> {
  const job = await findLatestJob(db, questionnaireId, 'questionnaire.answer');
  return job?.finishedAt ?? fallback;
}

/** Rows citing a library answer edited or synced since, evidence now stale or with a newer version, or a disclosure since changed. */
async function findStale(db: DbOrTx, items: Item[], since: Date, day: string, expiringWithinDays: number): Promise<StaleReason[]> {
  const cited = { answer: new Set<string>(), evidence: new Set<string>() };
  for (const item of items) for (const c of item.result.citations ?? []) if (c.kind === 'answer' || c.kind === 'evidence') cited[c.kind].add(c.id);
  const [answers, evidence, versions, disclosures] = await Promise.all([
    listAnswers(db, { ids: [...cited.answer] }),
    listEvidence(db, { ids: [...cited.evidence] }),
    cited.evidence.size ? db.selectFrom('evidence_versions').select(['evidence_id']).where('evidence_id', 'in', [...cited.evidence]).where('created_at', '>', since).execute() : [],
    db.selectFrom('disclosure_changes').select(['id']).where('published_on', '>', since.toISOString().slice(0, 10)).where('published_on', '<=', day).execute(),
  ]);
  const changedSince = (a: LibraryAnswer, at: Date) => Boolean((a.editedAt && new Date(a.editedAt) > at) || new Date(a.syncedAt) > at);
  const changedAnswers = new Set(answers.filter((a) => changedSince(a, since)).map((a) => a.id));
  const missingAnswers = new Set([...cited.answer].filter((id) => !answers.some((a) => a.id === id)));
  const staleEvidence = new Map(evidence.filter((e) => freshnessOf(e.reviewBy, day, expiringWithinDays) === 'stale').map((e) => [e.id, e.title]));
  const newVersions = new Set(versions.map((v) => v.evidence_id));
  const stale: StaleReason[] = [];
  for (const item of items) {
    const reasons: string[] = [];
    const answered = item.answered_at ? new Date(item.answered_at) : since;
    const changedSinceAnswered = (id: string) => {
      const a = answers.find((x) => x.id === id);
      return Boolean(a && changedSince(a, answered));
    };
    for (const c of item.result.citations ?? []) {
      if (c.kind === 'answer' && changedAnswers.has(c.id) && changedSinceAnswered(c.id)) reasons.push(`the library answer “${c.title}” changed`);
      if (c.kind === 'answer' && missingAnswers.has(c.id)) reasons.push(`the library answer “${c.title}” was removed`);
      if (c.kind === 'evidence' && staleEvidence.has(c.id)) reasons.push(`the evidence “${c.title}” is past its review date`);
      if (c.kind === 'evidence' && newVersions.has(c.id) && !item.answered_at) reasons.push(`the evidence “${c.title}” has a newer version`);
      if (c.kind === 'disclosure' && disclosures.length && !item.answered_at) reasons.push(`the published disclosures changed (${c.title})`);
    }
    if (reasons.length) stale.push({ itemId: item.id, id: item.ext_id, question: item.question, reasons: [...new Set(reasons)] });
  }
  return stale;
}

/** What the export would send, said before it is sent. */
export async function exportCheck(db: Kysely<Database>, clock: Clock, config: Config, questionnaireId: string) {
  const questionnaire = await requireQuestionnaire(db, questionnaireId);
  const items = await q.listItems(db, questionnaireId);
  const layouts = questionnaire.layouts as SheetLayout[];
  const blank = items.filter((item) => {
    const out = toExportItem(item, layouts);
    return out.kind !== 'not-a-question' && !out.answer && !out.text;
  });
  const since = await answeredAt(db, questionnaireId, questionnaire.created_at);
  const row = (item: Item) => ({ itemId: item.id, id: item.ext_id, question: item.question, state: item.review_state });
  return {
    counts: await countsOf(db, questionnaireId),
    pending: items.filter((i) => i.review_state === 'pending').map(row),
    blank: blank.map((item) => ({ ...row(item), why: item.review_state === 'rejected' ? 'rejected' : 'no answer' })),
    stale: await findStale(db, items, since, today(clock), config.expiringWithinDays),
  };
}

/** The most rows "re-answer all" answers on the web thread; more is a new upload's job. */
export const REANSWER_LIMIT = 500;

/**
 * Answers rows again with the current knowledge; their review goes back to pending, since what
 * the reviewer decided was about the old answer.
 */
export async function reanswerItems(db: Kysely<Database>, clock: Clock, config: Config, engine: Engine, questionnaireId: string, itemIds: number[], by: Actor): Promise<number> {
  if (!itemIds.length) return 0;
  if (itemIds.length > REANSWER_LIMIT) throw new ValidationError(`At most ${REANSWER_LIMIT} rows are answered again at once; upload the file again to answer it all.`);
  return db.transaction().execute(async (tx) => {
    const questionnaire = await requireQuestionnaire(tx as unknown as Kysely<Database>, questionnaireId);
    if (questionnaire.status !== 'ready') throw new ValidationError('The questionnaire is not ready yet.');
    const items = await q.listItems(tx, questionnaireId, { itemIds });
    const options = answerOptions(config, clock, questionnaire.audience, questionnaire.service_id);
    for (const item of items) {
      const result = engine.answer({ id: item.ext_id, sheet: item.sheet, row: item.row, question: item.question, section: item.section, vocabulary: item.vocabulary }, options);
      await tx
        .updateTable('questionnaire_items')
        .set({ result: JSON.stringify(result), status: result.status, review_state: 'pending', final_answer: null, final_text: null, reviewed_by: null, reviewed_at: null, review_batch: null, review_reason: null, answered_at: clock.now() })
        .where('id', '=', item.id)
        .execute();
    }
    await appendAudit(tx, clock, { ...by, action: 'questionnaire.reanswered', subject: questionnaireId, details: { count: items.length, items: items.map((i) => i.ext_id).slice(0, 500) } });
    await syncReviewStage(tx, questionnaireId, clock.now());
    return items.length;
  });
}
