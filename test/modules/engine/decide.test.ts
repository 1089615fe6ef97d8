import { describe, expect, it } from 'vitest';
import { decide } from '../../../server/modules/engine/decide.js';
import { buildNamedThingFinder } from '../../../server/modules/engine/named-things.js';
import { buildRetriever } from '../../../server/modules/engine/retrieve.js';
import { genericTermSet, subjectOf } from '../../../server/modules/engine/subject.js';
import { DEFAULT_THRESHOLDS } from '../../../server/modules/engine/thresholds.js';
import type { LibraryEntry } from '../../../server/modules/engine/types.js';
import { buildEngine } from '../../../server/modules/engine/engine.js';
import { makeKnowledge } from './knowledge.js';

const entry = (id: string, question: string, phrasings: string[], explanation: string, controls = ['iso27002:8.24']): LibraryEntry => ({
  id, question, explanation, controls, phrasings, kind: 'yes-no', answer: 'Yes', asOf: null, evidence: [], access: 'public', services: {},
});

// Words a questionnaire wraps around its subject: they say how something is asked, not what about.
const GENERIC = genericTermSet(['documented', 'process', 'reviewed', 'approved', 'management', 'every', 'year', 'formally', 'there']);

/** Decides over the given lunr hits (id, score, matched stems), as retrieval would hand them over. */
function judge(question: string, library: LibraryEntry[], hits: [string, number, string[]][]) {
  const knowledge = makeKnowledge();
  knowledge.library.push(...library);
  const retriever = buildRetriever(knowledge, buildNamedThingFinder([]));
  const subject = subjectOf(question, GENERIC, retriever);
  const found = hits.map(([id, score, matched]) => ({ entry: retriever.entries.get(id)!, hit: { id, score, matched } }));
  return decide({ text: question, withContext: question }, found, subject, [], retriever, DEFAULT_THRESHOLDS, 'yes-no');
}

const wordy = entry('wordy', 'Is every documented process approved and reviewed by management?', [], 'Management reviews each process yearly.');
// More answers on the wordy one's control: further readings that support it.
const approvals = entry('approvals', 'Are documented processes formally approved by management?', [], 'Each owner signs off changes before publication.');
const reviews = entry('reviews', 'Is there a yearly management review of each documented process?', [], 'Owners revisit their documents on a fixed calendar.');
const owners = entry('owners', 'Does each documented process have a management owner?', [], 'Every document names the person who keeps it current.');
const calendar = entry('calendar', 'Are processes reviewed on a formal yearly calendar?', [], 'A shared calendar lists when each document falls due.');
const printers = entry('printers', 'Are printers reviewed every year?', ['Printer review'], 'Every printer is reviewed each year and its disk erased before disposal.', ['iso27002:8.13']);

describe('deciding', () => {
  it("chooses an answer about the question's subject over one that only shares the words around it", () => {
    const question = 'Is there a formally documented process, reviewed and approved by management every year, for printers?';
    const around = ['formal', 'document', 'process', 'review', 'approv', 'manag', 'year'];
    const library = [wordy, approvals, reviews, owners, calendar, printers];
    const hits: [string, number, string[]][] = [['wordy', 10, around], ['approvals', 9, around.slice(0, 6)], ['reviews', 9, around.slice(1)], ['owners', 9, around.slice(1, 6)], ['calendar', 9, around.slice(0, 5)], ['printers', 6, ['review', 'year', 'printer']]];
    // Without the printers answer, nothing close is about printers.
    expect(judge(question, library, hits.slice(0, 5)).status).toBe('unanswered');
    // Five readings on one control would outweigh the single answer that names the subject, but none of them is about printers.
    const judgement = judge(question, library, hits);
    expect(judgement.best.entry.id).toBe('printers');
    expect(judgement.status).not.toBe('unanswered');
  });

  it('leaves the question unanswered when no close answer is about its subject', () => {
    const question = 'Is there a formally documented process, reviewed and approved by management every year, for fax machines?';
    const judgement = judge(question, [wordy, printers], [['wordy', 10, ['formal', 'document', 'process', 'review', 'approv', 'manag', 'year']], ['printers', 6, ['review', 'year']]]);
    expect(judgement.status).toBe('unanswered');
    expect(judgement.reason).toMatch(/nothing published is about "fax/);
  });
});

describe('a No', () => {
  it('answers only a question asking what it was written for, not another one its text happens to match', () => {
    const knowledge = makeKnowledge();
    const base = knowledge.library.find((e) => e.id === 'rest')!;
    knowledge.library.push({ ...base, id: 'media-no', kind: 'yes-no', answer: 'No', question: 'Do you ship backup tapes off site by courier?', phrasings: ['Backup tapes sent off site (Y/N)'], explanation: 'Backups are copied over the network to a second region; no tape or disk leaves a data centre.', controls: ['iso27002:8.13'], evidence: [] });
    const engine = buildEngine(knowledge);
    const ask = (question: string) => engine.answer({ id: 'q', sheet: null, row: null, question }, { audience: 'nda', service: null, today: '2026-11-28', expiringWithinDays: 30 });
    const same = ask('Are backup tapes shipped off site by courier?');
    expect(same.why.answerId).toBe('media-no');
    expect(same).toMatchObject({ status: 'answered', answer: 'No' });
    // Its explanation matches this question well, but the No was written for couriered tapes: here it would deny what the text says.
    const broader = ask('Are backups copied over the network to a second region?');
    expect(broader.why.answerId).toBe('media-no');
    expect(broader.status).toBe('review');
    expect(broader.reason).toMatch(/says No to a narrower question/);
  });
});
