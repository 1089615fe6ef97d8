import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import { today } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { knowledgeChanged } from '../../lib/knowledge-version.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { ACCESS_LEVELS, LIBRARY_KINDS, SHORT_ANSWERS } from '../content/schema.js';
import type { AccessLevel, LibraryKind, ShortAnswer } from '../content/tables.js';
import type { AnswerItem } from '../content/types.js';
import { findAnswer } from './queries.js';

// The content schema's lists: an answer written in the admin obeys the same rules as one in a file.
export const KINDS: readonly LibraryKind[] = LIBRARY_KINDS;
export { SHORT_ANSWERS };
export const LEVELS: readonly AccessLevel[] = ACCESS_LEVELS;

/** A library answer as staff write it (from the admin form or the API). */
export interface LibraryAnswerInput {
  id?: string;
  topic?: string;
  question: string;
  phrasings?: string[];
  kind?: string;
  answer?: string | null;
  asOf?: string | null;
  explanation: string;
  controls: string[];
  evidence?: string[];
  /** Never public unless chosen: the default is nda. */
  access?: string;
  owner?: string;
}

/** A library answer as checked before it is written: the content item's fields, without what only files carry. */
type Checked = Pick<AnswerItem, 'topic' | 'question' | 'phrasings' | 'kind' | 'answer' | 'asOf' | 'explanation' | 'controls' | 'evidence' | 'access' | 'owner'>;

/** Ids are readable slugs of the question, unique within the library. */
export function slugOf(question: string): string {
  return question.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'answer';
}

async function check(db: DbOrTx, input: LibraryAnswerInput, fallbackOwner: string): Promise<Checked> {
  const kind = (input.kind || 'yes-no') as LibraryKind;
  if (!KINDS.includes(kind)) throw new ValidationError('kind must be yes-no, open, responsibility, field or event.');
  const needsAnswer = kind === 'yes-no' || kind === 'event';
  const answer = input.answer ? (input.answer as ShortAnswer) : null;
  if (answer && !SHORT_ANSWERS.includes(answer)) throw new ValidationError('answer must be Yes, No, Partial or N/A.');
  if (needsAnswer && !answer) throw new ValidationError(`A ${kind} answer needs its short answer (Yes, No, Partial or N/A).`);
  if (kind === 'event' && !input.asOf) throw new ValidationError('An event answer needs asOf: the day it was true on (YYYY-MM-DD).');
  const access = (input.access || 'nda') as AccessLevel;
  if (!LEVELS.includes(access)) throw new ValidationError('access must be public, nda or internal.');
  const question = input.question.trim();
  const explanation = input.explanation.trim();
  if (!question) throw new ValidationError('question is needed.');
  if (!explanation) throw new ValidationError('explanation is needed: the text a customer reads.');
  const controls = [...new Set(input.controls.map((c) => c.trim()).filter(Boolean))];
  const evidence = [...new Set((input.evidence ?? []).map((e) => e.trim()).filter(Boolean))];
  if (!controls.length) throw new ValidationError('controls: name at least one control (e.g. iso27002:8.24).');
  const known = new Set((await db.selectFrom('controls').select('id').where('id', 'in', controls).execute()).map((c) => c.id));
  const unknown = controls.filter((c) => !known.has(c));
  if (unknown.length) throw new ValidationError(`controls: unknown control(s) ${unknown.join(', ')}.`);
  if (evidence.length) {
    const knownEvidence = new Set((await db.selectFrom('evidence').select('id').where('id', 'in', evidence).execute()).map((e) => e.id));
    const missing = evidence.filter((e) => !knownEvidence.has(e));
    if (missing.length) throw new ValidationError(`evidence: unknown evidence ${missing.join(', ')}.`);
  }
  const phrasings = [...new Set((input.phrasings ?? []).map((p) => p.trim()).filter((p) => p && p.toLowerCase() !== question.toLowerCase()))];
  return {
    topic: input.topic?.trim() || 'staff',
    question,
    phrasings,
    kind,
    answer: needsAnswer ? answer : null,
    asOf: kind === 'event' ? input.asOf ?? null : null,
    explanation,
    controls,
    evidence,
    access,
    owner: input.owner?.trim() || fallbackOwner,
  };
}

/**
 * A new library answer written by staff. It is marked as edited by staff, so the next content
 * sync keeps it (and reports it) rather than deleting a row no content file names.
 */
export async function createLibraryAnswer(db: Kysely<Database>, clock: Clock, input: LibraryAnswerInput, by: Actor, tx?: DbOrTx): Promise<string> {
  const run = async (t: DbOrTx) => {
    const checked = await check(t, input, by.actor);
    const base = input.id?.trim() || slugOf(checked.question);
    if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(base)) throw new ValidationError('id may hold lower-case letters, digits and hyphens only.');
    let id = base;
    for (let n = 2; await findAnswer(t, id); n++) {
      if (input.id) throw new ConflictError(`A library answer "${id}" already exists.`);
      id = `${base}-${n}`;
    }
    const now = clock.now();
    const last = await t.selectFrom('library_answers').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
    await t
      .insertInto('library_answers')
      .values({
        id,
        topic: checked.topic,
        question: checked.question,
        phrasings: JSON.stringify(checked.phrasings),
        kind: checked.kind,
        answer: checked.answer,
        as_of: checked.asOf,
        explanation: checked.explanation,
        control_ids: JSON.stringify(checked.controls),
        evidence_ids: JSON.stringify(checked.evidence),
        access: checked.access,
        owner: checked.owner,
        reviewed_on: today(clock),
        service_overrides: JSON.stringify({}),
        position: Number(last?.p ?? 0) + 1,
        source_file: null,
        content_hash: '',
        edited_by: by.actor,
        edited_at: now,
        synced_at: now,
      })
      .execute();
    await appendAudit(t, clock, { ...by, action: 'library.answer_created', subject: `library:${id}`, details: { question: checked.question, kind: checked.kind, answer: checked.answer, access: checked.access, owner: checked.owner } });
    return id;
  };
  const id = tx ? await run(tx) : await db.transaction().execute(run);
  if (!tx) knowledgeChanged(db);
  return id;
}

/**
 * Changes an answer; fields left out keep their value. The audit entry keeps the previous text
 * and names the owning team, so the owner can see who changed their answer and from what.
 */
export async function updateLibraryAnswer(db: Kysely<Database>, clock: Clock, id: string, patch: Partial<LibraryAnswerInput>, by: Actor, tx?: DbOrTx): Promise<void> {
  const run = async (t: DbOrTx) => {
    const before = await findAnswer(t, id);
    if (!before) throw new NotFoundError(`No library answer "${id}".`);
    const merged: LibraryAnswerInput = {
      topic: patch.topic ?? before.topic,
      question: patch.question ?? before.question,
      phrasings: patch.phrasings ?? before.phrasings,
      kind: patch.kind ?? before.kind,
      answer: patch.answer !== undefined ? patch.answer : before.answer,
      asOf: patch.asOf !== undefined ? patch.asOf : before.asOf,
      explanation: patch.explanation ?? before.explanation,
      controls: patch.controls ?? before.controls,
      evidence: patch.evidence ?? before.evidence,
      access: patch.access ?? before.access,
      owner: patch.owner ?? before.owner,
    };
    const after = await check(t, merged, before.owner);
    await t
      .updateTable('library_answers')
      .set({
        topic: after.topic,
        question: after.question,
        phrasings: JSON.stringify(after.phrasings),
        kind: after.kind,
        answer: after.answer,
        as_of: after.asOf,
        explanation: after.explanation,
        control_ids: JSON.stringify(after.controls),
        evidence_ids: JSON.stringify(after.evidence),
        access: after.access,
        owner: after.owner,
        edited_by: by.actor,
        edited_at: clock.now(),
      })
      .where('id', '=', id)
      .execute();
    await appendAudit(t, clock, {
      ...by,
      action: 'library.answer_edited',
      subject: `library:${id}`,
      details: {
        owner: before.owner,
        before: { question: before.question, kind: before.kind, answer: before.answer, explanation: before.explanation, access: before.access },
        after: { question: after.question, kind: after.kind, answer: after.answer, explanation: after.explanation, access: after.access },
      },
    });
  };
  if (tx) await run(tx);
  else await db.transaction().execute(run);
  if (!tx) knowledgeChanged(db);
}
