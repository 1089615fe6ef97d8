import { knowledgeChanged } from '../../lib/knowledge-version.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import type { AccessLevel, ShortAnswer } from '../content/tables.js';
import { LEVELS } from './write.js';
import type { Engine } from '../engine/engine.js';
import { currentKnowledgeVersion } from '../engine/queries.js';
import { findAnswer, findStoredOverlaps, listAnswers, storeOverlaps, updateAnswer } from './queries.js';

const SHORT: readonly ShortAnswer[] = ['Yes', 'No', 'Partial', 'N/A'];

export interface AnswerEdit {
  question: string;
  phrasings: string;
  answer: string;
  explanation: string;
  controls: string;
  evidence: string;
  access: string;
}

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const list = (text: string) => text.split(/[\s,]+/).map((l) => l.trim()).filter(Boolean);

/** Staff edit one answer; the change is on the audit log (its history) and the next sync reports it. */
export async function editAnswer(db: Kysely<Database>, clock: Clock, id: string, edit: AnswerEdit, by: Actor): Promise<void> {
  if (!SHORT.includes(edit.answer as ShortAnswer)) throw new ValidationError('The short answer must be Yes, No, Partial or N/A.');
  if (!LEVELS.includes(edit.access as AccessLevel)) throw new ValidationError('Access must be public, nda or internal.');
  if (!edit.question.trim() || !edit.explanation.trim()) throw new ValidationError('Question and explanation are both needed.');
  const controls = list(edit.controls);
  const evidence = list(edit.evidence);
  if (controls.length === 0) throw new ValidationError('Name at least one control (e.g. iso27002:8.24).');
  await db.transaction().execute(async (tx) => {
    const before = await findAnswer(tx, id);
    if (!before) throw new NotFoundError(`No library answer "${id}".`);
    const known = new Set((await tx.selectFrom('controls').select('id').where('id', 'in', controls).execute()).map((c) => c.id));
    const unknown = controls.filter((c) => !known.has(c));
    if (unknown.length) throw new ValidationError(`Unknown control(s): ${unknown.join(', ')}.`);
    if (evidence.length) {
      const knownEvidence = new Set((await tx.selectFrom('evidence').select('id').where('id', 'in', evidence).execute()).map((e) => e.id));
      const missing = evidence.filter((e) => !knownEvidence.has(e));
      if (missing.length) throw new ValidationError(`Unknown evidence: ${missing.join(', ')}.`);
    }
    const after = { question: edit.question.trim(), phrasings: lines(edit.phrasings), answer: edit.answer as ShortAnswer, explanation: edit.explanation.trim(), controls, evidence, access: edit.access as AccessLevel };
    await updateAnswer(tx, id, after, by.actor, clock.now());
    await appendAudit(tx, clock, {
      ...by,
      action: 'library.answer_edited',
      subject: `library:${id}`,
      details: { before: { question: before.question, answer: before.answer, explanation: before.explanation, access: before.access }, after: { question: after.question, answer: after.answer, explanation: after.explanation, access: after.access } },
    });
  });
  knowledgeChanged(db);
}

export interface Overlap {
  a: string;
  b: string;
  answers: [ShortAnswer | null, ShortAnswer | null];
  question: string;
}

/**
 * Pairs of answers that cover the same question with different short answers: asking one's
 * question finds the other almost as well, and they disagree. A reviewer should merge or split them.
 */
export function findOverlaps(engine: Engine, answers: { id: string; question: string; answer: ShortAnswer | null; phrasings: string[] }[]): Overlap[] {
  const byId = new Map(answers.map((a) => [a.id, a]));
  const seen = new Set<string>();
  const overlaps: Overlap[] = [];
  for (const a of answers) {
    for (const text of [a.question, ...a.phrasings]) {
      const [first, second] = engine.retrieve(text);
      if (!first || !second) continue;
      const top = first.id === a.id ? second : first;
      const other = byId.get(top.id);
      const own = first.id === a.id ? first : second.id === a.id ? second : null;
      if (!other || !own || other.answer === a.answer) continue;
      if (top.score < own.score * 0.9) continue;
      const key = [a.id, other.id].sort().join('|');
      if (seen.has(key)) continue;
      seen.add(key);
      overlaps.push({ a: a.id, b: other.id, answers: [a.answer, other.answer], question: text });
    }
  }
  return overlaps;
}

/**
 * The overlaps of the current knowledge version: computed once per version (content sync or a
 * library edit makes a new one) and stored, so a page view only reads them.
 */
export async function libraryOverlaps(db: Kysely<Database>, engines: { get(): Promise<Engine> }, clock: Clock): Promise<Overlap[]> {
  const version = await currentKnowledgeVersion(db);
  const stored = await findStoredOverlaps(db, version);
  if (stored) return stored;
  const answers = await listAnswers(db);
  const overlaps = findOverlaps(await engines.get(), answers.map((a) => ({ id: a.id, question: a.question, answer: a.answer, phrasings: a.phrasings })));
  await db.transaction().execute((tx) => storeOverlaps(tx, version, overlaps, clock.now()));
  return overlaps;
}

export { listAnswers };
