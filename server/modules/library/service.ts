import { knowledgeChanged } from '../../lib/knowledge-version.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import type { Actor } from '../audit/service.js';
import type { ShortAnswer } from '../content/tables.js';
import { updateLibraryAnswer } from './write.js';
import type { Engine } from '../engine/engine.js';
import { currentKnowledgeVersion } from '../engine/queries.js';
import { findStoredOverlaps, listAnswers, storeOverlaps } from './queries.js';

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

/**
 * Staff edit one answer from the admin form; the same checks and audit entry as the API's edit
 * (write.ts). The short answer is kept only where the answer's kind carries one.
 */
export async function editAnswer(db: Kysely<Database>, clock: Clock, id: string, edit: AnswerEdit, by: Actor): Promise<void> {
  await updateLibraryAnswer(db, clock, id, {
    question: edit.question,
    phrasings: lines(edit.phrasings),
    answer: edit.answer || null,
    explanation: edit.explanation,
    controls: list(edit.controls),
    evidence: list(edit.evidence),
    access: edit.access,
  }, by);
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
