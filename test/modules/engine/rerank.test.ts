import { describe, expect, it } from 'vitest';
import { candidateFeatures } from '../../../server/modules/engine/decide.js';
import { buildNamedThingFinder } from '../../../server/modules/engine/named-things.js';
import { buildRetriever } from '../../../server/modules/engine/retrieve.js';
import { genericTermSet, subjectOf } from '../../../server/modules/engine/subject.js';
import type { LibraryEntry } from '../../../server/modules/engine/types.js';
import { makeKnowledge } from './knowledge.js';

const SUPPORT = 5; // the feature's place in the re-ranker's vector (see RERANK_WEIGHTS)
const QUESTION = 'Is stored data encrypted?';

const entry = (id: string, question: string, explanation: string): LibraryEntry => ({
  id, question, explanation, controls: ['iso27002:8.24'], phrasings: [], kind: 'yes-no', answer: 'Yes', asOf: null, evidence: [], access: 'public', services: {},
});

/** The support feature of each close candidate for QUESTION, with the library's "rest" answer rewritten and these entries added. */
function supportWith(...extra: LibraryEntry[]): Map<string, number> {
  const knowledge = makeKnowledge();
  knowledge.library.find((a) => a.id === 'rest')!.explanation = 'Stored customer data is encrypted with AES-256-GCM on every volume, snapshot and backup, using data keys held in the managed key service.';
  knowledge.library.push(...extra);
  const retriever = buildRetriever(knowledge, buildNamedThingFinder([]));
  const found = retriever.candidates(QUESTION, 'nda');
  const subject = subjectOf(QUESTION, genericTermSet([]), retriever);
  return new Map(candidateFeatures({ text: QUESTION, withContext: QUESTION }, found, subject, retriever).map((f) => [f.candidate.entry.id, f.x[SUPPORT]!]));
}

describe('the re-ranker', () => {
  it('counts another close answer on the same control as support, but not a sibling saying the same thing', () => {
    const independent = entry('keys', 'Are encryption keys for stored data rotated?', 'Key rotation: the managed key service replaces data keys yearly, and retired keys remain only for decrypting older data.');
    const sibling = entry('rest-yn', 'Is stored data encrypted at rest?', 'Yes: stored customer data is encrypted with AES-256-GCM on every volume, snapshot and backup with managed data keys.');
    const alone = supportWith();
    expect(alone.get('rest')).toBe(0);
    // A second reading of the control: the answers support each other.
    expect(supportWith(independent).get('rest')).toBeGreaterThan(0);
    // The yes/no answer beside the open one is the same reading twice: no support either way.
    const twins = supportWith(sibling);
    expect(twins.has('rest-yn')).toBe(true);
    expect(twins.get('rest')).toBe(0);
    expect(twins.get('rest-yn')).toBe(0);
  });
});
