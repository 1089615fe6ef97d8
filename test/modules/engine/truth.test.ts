import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../server/config.js';
import { buildEngine, type Engine } from '../../../server/modules/engine/engine.js';
import { loadKnowledge } from '../../../server/modules/engine/queries.js';
import { parseQuestionnaire } from '../../../server/modules/questionnaires/import/parse.js';
import { answerImported } from '../../../server/modules/questionnaires/service.js';
import type { AnswerOptions } from '../../../server/modules/engine/types.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

const truthDir = path.join(projectRoot, 'test', 'fixtures', 'eval');
const options: AnswerOptions = { audience: 'nda', service: null, today: '2026-11-28', expiringWithinDays: 30 };
let t: TestApp;
let engine: Engine;
const work = mkdtempSync(path.join(os.tmpdir(), 'evident-truth-'));

beforeAll(async () => {
  t = await createTestApp();
  engine = buildEngine(await loadKnowledge(t.database.db));
});
afterAll(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

const ask = (question: string, extra: Partial<AnswerOptions> = {}) => engine.answer({ id: 'q', sheet: null, row: null, question }, { ...options, ...extra });

describe('the engine never claims what the provider has not said (demo content)', () => {
  it('handles the truth set with no violation', () => {
    const imported = parseQuestionnaire(readFileSync(path.join(truthDir, 'truth', 'questions.csv')), 'questions.csv');
    const result = path.join(work, 'truth.json');
    writeFileSync(result, JSON.stringify(answerImported(engine, imported, options)));
    const run = () => execFileSync(process.execPath, [path.join(truthDir, 'truth.mjs'), '--expect', path.join(truthDir, 'truth', 'expect.csv'), '--result', result], { encoding: 'utf8' });
    expect(run).not.toThrow();
    expect(run()).toMatch(/violations 0\s*$/);
  });

  it('answers a held certification Yes with the certificate, one it does not hold No with what it holds', () => {
    const iso = ask('Are you ISO 27001 certified?');
    expect(iso).toMatchObject({ kind: 'yes-no', status: 'answered', answer: 'Yes' });
    expect(iso.text).toMatch(/CA-ISMS-2025-0417/);
    const soc1 = ask('Do you have a SOC 1 report?');
    expect(soc1).toMatchObject({ status: 'answered', answer: 'No' });
    expect(soc1.text).toMatch(/does not hold SOC 1.*SOC 2/);
    // The lapsed ISO/IEC 27001:2013 certificate is not what makes the answer Yes.
    expect(iso.citations.some((c) => c.id === 'certifications#iso27001-2013')).toBe(false);
    // The Yes points at the certificate document itself (public in the register)...
    expect(iso.citations).toContainEqual(expect.objectContaining({ kind: 'evidence', id: 'ev-cert-iso27001' }));
    // ...and at a report only for an audience that may see it (the SOC 2 report is under NDA).
    const soc2 = (audience: AnswerOptions['audience']) => ask('Do you have a SOC 2 Type II report?', { audience }).citations.filter((c) => c.kind === 'evidence').map((c) => c.id);
    expect(soc2('nda')).toContain('ev-report-soc2-type2');
    expect(soc2('public')).not.toContain('ev-report-soc2-type2');
  });

  it('answers regions from the locations: Yes where there is one, No with the countries where not', () => {
    expect(ask('Do you have a data centre in Germany?')).toMatchObject({ answer: 'Yes', status: 'answered' });
    const brazil = ask('Can our data be hosted in Brazil?');
    expect(brazil).toMatchObject({ answer: 'No', status: 'answered' });
    expect(brazil.text).toMatch(/Germany.*Singapore/);
  });

  it('says where a region is, but makes no claim about a figure asked of it', () => {
    const tier = ask('Is the data center in Frankfurt Tier IV?');
    expect(tier.status).toBe('review');
    expect(tier.answer).toBeNull();
    expect(tier.text).toMatch(/Frankfurt/);
    expect(ask('Is the data centre in Brazil Tier IV?').answer).toBe('No');
  });

  it('answers where a data category is from the regions that hold that category', () => {
    const support = ask('Are support tickets processed in London?');
    expect(support.status).toBe('review');
    expect(support.answer).toBeNull();
    expect(support.text).toMatch(/Support data: Frankfurt, Dublin/);
    expect(ask('Are logs stored in Germany?')).toMatchObject({ status: 'answered', answer: 'Yes' });
    expect(ask('Are all production servers located in the European Union?').answer).toBeNull();
  });

  it('says No, not Partial, to "A and B?" when the published lists hold only one of them', () => {
    const both = ask('Are you ISO 27001 certified and FedRAMP authorized?');
    expect(both.answer).toBe('No');
    expect(both.text).toMatch(/does not hold FedRAMP/);
    expect(ask('Do you hold ISO 27001 or SOC 2?').answer).toBe('Yes');
    expect(ask('Is data encrypted at rest and do you have a region in Brazil?').answer).toBe('No');
  });

  it('answers whether a service is offered in a place from the regions that run that service', () => {
    expect(ask('Is Nimbus Compute available in Ireland?')).toMatchObject({ status: 'answered', answer: 'Yes' });
    const postgres = ask('Is Managed PostgreSQL available in Oregon?');
    expect(postgres).toMatchObject({ status: 'answered', answer: 'No' });
    expect(postgres.text).toMatch(/no region in Oregon for Nimbus Managed PostgreSQL/);
    expect(ask('Is Nimbus Insights available in Singapore?').text).not.toMatch(/Singapore or Singapore/);
  });

  it('finds the document asked for by "Please attach…", not an answer about attachments', () => {
    const policy = ask('Please attach your information security policy.');
    expect(policy.kind).toBe('open');
    expect(policy.why.answerId).toMatch(/polic/);
  });

  it('answers backups in another region per service from the backup regions, not from prose', () => {
    const result = ask('Are backups stored in a different region?');
    expect(result.kind).toBe('yes-no');
    // Several regions keep backups in a second zone of the same region: not a plain Yes.
    expect(result.answer).not.toBe('Yes');
    expect(result.text).toMatch(/Nimbus Compute: .*Frankfurt → Berlin/);
  });

  it('says per service who takes backups (facts) and where each region keeps them (locations)', () => {
    // Compute volumes are backed up by the customer's snapshots: Nimbus does not claim those backups.
    expect(ask('Are backups stored in a different region?', { service: 'compute' }).why.source).not.toBe('backups');
    const db = ask('Are backups stored in a different region?', { service: 'managed-postgres' });
    expect(db).toMatchObject({ status: 'answered', answer: 'Partial' });
    // Traceable: the backup control, and the evidence the provider links to it beside the locations page.
    expect(db.controls).toContain('iso27002:8.13');
    expect(db.citations.filter((c) => c.kind === 'evidence').length).toBeGreaterThan(0);
    expect(ask('Are backups stored in a different region?', { service: 'managed-postgres', audience: 'public' }).citations.every((c) => c.kind !== 'evidence' || c.access === 'public')).toBe(true);
    expect(db.text).toMatch(/Frankfurt → Berlin.*Dublin → another zone of Dublin/);
    // A field row asking for a figure is filled from the fact, not from prose.
    const retention = ask('Number of days backups are retained');
    expect(retention.text).toBe('35 days');
  });

  it('does not read "authorized" as "authority" or an event from the breach-notification policy', () => {
    const fedramp = ask('Are you FedRAMP High authorized?');
    expect(fedramp.answer).toBe('No');
    expect(fedramp.citations.some((c) => c.kind === 'answer')).toBe(false);
    const breach = ask('Have you had a security breach affecting customer data in the last three years?');
    expect(breach).toMatchObject({ status: 'unanswered', answer: null });
    expect(breach.reason).toMatch(/event/);
  });

  it('answers "who does it" with the party per service and never Yes/No', () => {
    const result = ask('Who is responsible for patching the guest operating system on virtual machines?');
    expect(result).toMatchObject({ kind: 'responsibility', answer: null });
    expect(result.text).toMatch(/Nimbus Compute/);
    expect(result.citations.some((c) => c.kind === 'responsibility')).toBe(true);
  });

  it('keeps a question about a regulated data type for a source about that data type', () => {
    const result = ask('Do you store protected health information?');
    expect(result.answer).not.toBe('Yes');
    expect(result.status).not.toBe('answered');
  });

  it('uses the question before a dependent one to find its subject', () => {
    const [first, second] = answerImported(
      engine,
      parseQuestionnaire(Buffer.from('ID,Question\nP1,Do you have documented information security policies?\nP2,Are these reviewed at least annually?\n'), 'p.csv'),
      options,
    ).questions;
    expect(first.status).not.toBe('unanswered');
    expect(second.status).not.toBe('unanswered');
    expect(second.why.answerId).toMatch(/polic/);
  });

  it('makes no claim on the regression set of questions that once got an untrue Yes, and keeps the true ones', () => {
    // id,question,expect — expect: not-yes (no Yes or Partial at any status), no-claim (not answered, no Yes/No),
    // no-yesno (no canonical answer), yes (answered Yes). Questions contain no commas.
    const rows = readFileSync(path.join(projectRoot, 'test', 'fixtures', 'claims', 'claims.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const wrong = rows.flatMap(([id, question, expect]) => {
      const result = ask(question);
      const ok =
        expect === 'not-yes' ? result.answer === null || result.answer === 'No' || result.answer === 'N/A'
        : expect === 'no-claim' ? result.status !== 'answered' && result.answer === null
        : expect === 'no-yesno' ? result.answer === null
        : result.status === 'answered' && result.answer === 'Yes';
      return ok ? [] : [`${id} ${expect}: ${result.status} ${result.answer} — ${question}`];
    });
    expect(rows.length).toBeGreaterThan(40);
    expect(wrong).toEqual([]);
  });

  it('takes a close No written for the question over a broad Yes, and never carries a narrower No to a broader question', () => {
    const credit = ask('Do you perform credit checks on employees?');
    expect(credit).toMatchObject({ status: 'answered', answer: 'No' });
    expect(credit.why.answerId).toMatch(/credit/);
    // Governing a thing is not doing it: "Is production data used in testing? No" does not deny controlling its use.
    expect(ask('Do you approve and control the use of live data in test environments?').answer).not.toBe('No');
    const background = ask('Do you run background checks on employees?');
    expect(background).toMatchObject({ status: 'review', answer: null });
    expect(background.reason).toMatch(/narrower question/);
  });

  it('reads a figure given as a limit: "within 72 hours" is met by 48, "at least 8 characters" by 14, but not the other way', () => {
    expect(ask('Are staff passwords at least 8 characters long?')).toMatchObject({ status: 'answered', answer: 'Yes' });
    expect(ask('Are staff passwords at least 20 characters long?').answer).not.toBe('Yes');
    expect(ask('Do you notify customers within 72 hours of a breach?')).toMatchObject({ status: 'answered', answer: 'Yes' });
    expect(ask('Do you notify customers within 24 hours of a breach?').answer).not.toBe('Yes');
  });

  it('does not take a frequency word without a figure for the subject ("routine", like "regular")', () => {
    const scanning = ask('Do you detect vulnerabilities by routine vulnerability scanning of systems and applications?');
    expect(scanning).toMatchObject({ status: 'answered', answer: 'Yes' });
    expect(scanning.why.answerId).toMatch(/scan/);
  });

  it('answers a question giving a figure from a No that states none: the practice is not done at any', () => {
    const expiry = ask('Do staff passwords expire every 90 days?');
    expect(expiry).toMatchObject({ status: 'answered', answer: 'No' });
    expect(expiry.why.answerId).toMatch(/rotation-no/);
  });

  it('fills a field about a certificate held from the published certificate, and leaves one not held unanswered', () => {
    const soc2 = ask('Date of last SOC 2 report');
    expect(soc2).toMatchObject({ kind: 'field', status: 'answered', answer: null });
    expect(soc2.text).toMatch(/SOC 2 Type II .*issued \d{4}-\d{2}-\d{2}; period covered \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}; valid until/);
    expect(soc2.citations).toContainEqual(expect.objectContaining({ url: '/certifications' }));
    const fedramp = ask('Date of last FedRAMP assessment');
    expect(fedramp).toMatchObject({ kind: 'field', status: 'unanswered', answer: null, text: null });
  });

  it('withholds Yes from a question about what the answer denies ("never in plain text")', () => {
    const hashed = ask('Are customer passwords stored as salted hashes?');
    expect(hashed.answer).toBe('Yes');
    const plainText = ask('Are passwords stored in plain text?');
    expect(plainText.why.answerId).toBe(hashed.why.answerId);
    expect(plainText.status).toBe('review');
    expect(plainText.answer).toBeNull();
    expect(plainText.reason).toMatch(/opposite way round/);
  });

  it('makes no Yes/No claim when a suggestion for review may ask the other way round, whatever its confidence', () => {
    for (const question of ['Do you permit shared accounts for administrators?', 'Is production access granted without approval?', 'Do you disable MFA for service accounts?']) {
      const result = ask(question);
      expect(result.status, question).not.toBe('answered');
      expect(result.answer, question).toBeNull();
    }
  });

  it('answers a subprocessor by name from the published list, and regions only for questions about data', () => {
    const helix = ask('Is Helix Colocation one of your subprocessors?');
    expect(helix).toMatchObject({ status: 'answered', answer: 'Yes' });
    expect(helix.text).toMatch(/Helix Colocation SE is a subprocessor/);
    expect(helix.citations).toContainEqual(expect.objectContaining({ kind: 'disclosure' }));
    // The regions say where data lives, not where people work.
    // How subprocessors are chosen is a practice, not the list.
    expect(ask('Describe your process for onboarding new subprocessors.').why.source).not.toBe('subprocessors');
    expect(ask('List your subprocessors.').why.source).toBe('subprocessors');
    // "approach" is a generic word: the subject is zero trust.
    expect(ask('Explain your approach to zero trust.').status).not.toBe('unanswered');
    const staff = ask('Are your employees located in India?');
    expect(staff.answer).toBeNull();
    expect(ask('Is customer data stored in India?').answer).toBe('No');
  });

  it('answers "Do you have an information security policy?" with the policy, not with the rarer word "cybersecurity"', () => {
    for (const question of ['Do you have an information security policy?', 'Is there an information security policy?']) {
      expect(ask(question), question).toMatchObject({ status: 'answered', answer: 'Yes' });
      expect(ask(question).why.answerId, question).toBe('c-gov-policy');
    }
  });

  it('does not carry a Partial to a compound question one of whose questions nothing answers', () => {
    const result = ask('Is customer data encrypted at rest and do you support HIPAA?');
    expect(result.status).toBe('unanswered');
    expect(result.answer).toBeNull();
    expect(result.parts?.length).toBe(2);
  });

  it('does not answer a Type I question with the Type II report held', () => {
    const typeOne = ask('Do you have a SOC 2 Type I report?');
    expect(typeOne.status).toBe('review');
    expect(typeOne.answer).toBeNull();
    expect(typeOne.reason).toMatch(/Type I report; the one held is Type II/);
    expect(ask('Do you have a SOC 2 Type II report?').answer).toBe('Yes');
  });

  it('treats a distance or a year as a figure the answer must state', () => {
    expect(ask('Do you have a disaster recovery site at least 100 miles from the primary site?').answer).toBeNull();
    expect(ask('Was your last penetration test in 2019?').answer).toBeNull();
    expect(ask('Are you certified to ISO/IEC 27001:2022?').answer).toBe('Yes');
  });

  it('makes no Yes claim for a question asking whether a weakness exists', () => {
    for (const question of ['Do you use default passwords on network devices?', 'Do you store encryption keys in source code?', 'Are firewall rules open to the internet by default?', 'Do contractors get access before background checks complete?']) {
      const result = ask(question);
      expect(result.answer, question).not.toBe('Yes');
      expect(result.status, question).not.toBe('answered');
    }
  });

  it('makes no claim about a figure the answer states for something else', () => {
    // The backup answer states daily snapshots and other periods: "daily" may not be when restores are tested.
    const tested = ask('Are backups tested daily?');
    expect(tested.status).toBe('review');
    expect(tested.answer).toBeNull();
    expect(tested.reason).toMatch(/figure or period/);
    const notified = ask('Do you notify customers within 24 hours of a breach?');
    expect(notified.answer).toBeNull();
    // A percentage is compared exactly: the SLA's 99.95 % is not 100 %.
    const perfect = ask('Do you offer a 100% uptime SLA?');
    expect(perfect.answer).toBeNull();
    // A protocol version is a figure too: TLS 1.0 is not "TLS 1.2 and 1.3 only".
    const old = ask('Is data encrypted in transit using TLS 1.0?');
    expect(old.answer).toBeNull();
    expect(old.status).not.toBe('answered');
    expect(ask('Is data in transit encrypted with TLS 1.2 or higher?').answer).toBe('Yes');
  });

  it('sends a question about what a certificate covers to review instead of a Yes for holding it', () => {
    expect(ask('Are you ISO 27001 certified?').answer).toBe('Yes');
    const scope = ask('Does your ISO 27001 certificate cover all data centres?');
    expect(scope.status).toBe('review');
    expect(scope.answer).toBeNull();
    expect(scope.reason).toMatch(/scope/);
    expect(ask('Do you have a current SOC 2 Type II report from an independent auditor?').answer).toBe('Yes');
    const criteria = ask('Does your SOC 2 report include the Privacy trust services criterion?');
    expect(criteria.answer).toBeNull();
    expect(criteria.status).toBe('review');
  });

  it('reads "Type I or Type II?" as a choice, answered in words, and the owner of the company as an event', () => {
    const choice = ask('Is your SOC 2 report Type I or Type II?');
    expect(choice.kind).toBe('open');
    expect(choice.answer).toBeNull();
    expect(choice.text).toMatch(/Type II/);
    const owner = ask('Who owns your company?');
    expect(owner.status).toBe('unanswered');
    expect(owner.answer).toBeNull();
    expect(owner.reason).toMatch(/event/);
  });

  it('does not answer a question about training models with the staff-training answer', () => {
    const result = ask('Do you train machine learning models on customer data?');
    expect(result.answer).not.toBe('Yes');
    expect(result.why.answerId ?? '').not.toMatch(/training/);
  });
});
