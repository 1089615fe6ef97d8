import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../server/config.js';
import { fixedClock } from '../../../server/clock.js';
import { checkContent, formatProblem } from '../../../server/modules/content/service.js';
import { copyContent } from '../../helpers/content-fixture.js';

// Each rule gets a small broken copy of the minimal fixture and must fire on it by itself.
const clock = fixedClock('2026-11-28T12:00:00Z');
let copy: ReturnType<typeof copyContent> | null = null;
afterEach(() => {
  copy?.remove();
  copy = null;
});

function problemsOf(dir: string, level: 'error' | 'warning'): string[] {
  return checkContent(dir, clock).problems.filter((p) => p.level === level).map(formatProblem);
}

describe('content consistency rules', () => {
  it('refuses a backup claim the locations do not support', () => {
    copy = copyContent();
    copy.edit('library/data.yaml', (t) => t.replace('Daily backups, kept 35 days.', 'Daily backups, kept 35 days in a second region.'));
    expect(problemsOf(copy.dir, 'error')).toContain(
      'library/data.yaml:2: error: answer "backups" says backups are kept in another region, but disclosures/locations.yaml keeps the backups of Frankfurt in the same region: "Daily backups, kept 35 days in a second region."',
    );
    // Once the region states another region for its backups, the same text is true.
    copy.edit('disclosures/locations.yaml', (t) => t.replace('backupRegion: same-region', 'backupRegion: eu-2') + '  - { id: eu-2, name: Berlin, country: DE, countryName: Germany, jurisdiction: EU, lat: 52.5, lon: 13.4, services: [vm], dataCategories: [customer-content], backupRegion: same-region }\n');
    expect(problemsOf(copy.dir, 'error').filter((e) => e.includes('backups are kept in another region'))).toEqual([]);
  });

  it('does not hold the provider to backups the customer takes', () => {
    copy = copyContent();
    copy.edit('responsibility/technological.yaml', (t) => t.replace('Schedules snapshots of every volume', 'Copies snapshots to another region and schedules snapshots of every volume'));
    expect(problemsOf(copy.dir, 'error').filter((e) => e.includes('another region'))).toEqual([]);
  });

  it('refuses prose that states another value of a fact (a public bug bounty where the fact says private)', () => {
    copy = copyContent();
    copy.edit('facts.yaml', (t) => `${t}  - { id: bugBounty.programme, value: private, oneOf: [private, public, none], about: [bug bounty] }\n`);
    copy.edit('library/data.yaml', (t) => t.replace('AES-256 everywhere.', 'AES-256 everywhere. Anyone may join our public bug bounty.'));
    expect(problemsOf(copy.dir, 'error')).toContain(
      'library/data.yaml:12: error: answer "encryption" says "public"; facts.yaml says private (bugBounty.programme): "Anyone may join our public bug bounty."',
    );
  });

  it('warns about a number in prose that differs from the fact on the same subject', () => {
    copy = copyContent();
    copy.edit('facts.yaml', (t) => t.replace('{ id: retention.backupDays, value: 35, unit: days }', '{ id: retention.backupDays, value: 35, unit: days, about: [backups, kept] }'));
    copy.edit('library/data.yaml', (t) => t.replace('Daily backups, kept 35 days.', 'Daily backups, kept 30 days.'));
    expect(problemsOf(copy.dir, 'warning').some((w) => w.includes('answer "backups" says 30 days; facts.yaml says 35 days (retention.backupDays)'))).toBe(true);
  });

  it('refuses dates that cannot be: collected before issued, a report issued before its period ended', () => {
    copy = copyContent();
    copy.edit('evidence/register.yaml', (t) => t.replace('    collected: -30d\n', '    issued: -20d\n    collected: -30d\n'));
    copy.edit('disclosures/certifications.yaml', (t) => `${t}  - { id: soc2, kind: report, standard: SOC 2 Type II, title: SOC 2, scope: All, body: Auditor, issued: -40d, expires: +300d, periodStart: -400d, periodEnd: -10d, evidence: ev-backup-test }\n`);
    const errors = problemsOf(copy.dir, 'error');
    expect(errors).toContain('evidence/register.yaml:2: error: evidence ev-backup-test was collected (2026-10-29) before it was issued (2026-11-08)');
    expect(errors).toContain('disclosures/certifications.yaml:3: error: certification soc2 was issued (2026-10-19) before the period it reports on ended (2026-11-18)');
  });

  it('refuses a report issued before the period it covers ended, and a period with one end or backwards', () => {
    copy = copyContent();
    copy.edit('evidence/register.yaml', (t) => t.replace('kind: test-result', 'kind: report').replace('    collected: -30d\n', '    issued: -40d\n    periodStart: -400d\n    periodEnd: -35d\n    collected: -30d\n'));
    expect(problemsOf(copy.dir, 'error')).toContain('evidence/register.yaml:2: error: report ev-backup-test was issued (2026-10-19) before the period it covers ended (2026-10-24)');
    copy.edit('evidence/register.yaml', (t) => t.replace('periodEnd: -35d', 'periodEnd: -45d'));
    expect(problemsOf(copy.dir, 'error').filter((e) => e.includes('ev-backup-test'))).toEqual([]);
    copy.edit('evidence/register.yaml', (t) => t.replace('periodStart: -400d', 'periodStart: -20d'));
    expect(problemsOf(copy.dir, 'error')).toContain('evidence/register.yaml:2: error: evidence ev-backup-test has a period that ends (2026-10-14) before it starts (2026-11-08)');
    copy.edit('evidence/register.yaml', (t) => t.replace('    periodStart: -20d\n', ''));
    expect(problemsOf(copy.dir, 'error')).toContain('evidence/register.yaml:2: error: evidence ev-backup-test gives only one end of its period: set both periodStart and periodEnd');
    copy.edit('evidence/register.yaml', (t) => t.replace('    periodEnd: -45d\n', ''));
    expect(problemsOf(copy.dir, 'warning')).toContain('evidence/register.yaml:2: warning: report ev-backup-test does not say the period it covers (periodStart, periodEnd)');
  });

  it('refuses internal evidence that says it may be passed on, and reads an unknown redistribution as a shape error', () => {
    copy = copyContent();
    copy.edit('evidence/register.yaml', (t) => t.replace('access: public', 'access: internal\n    redistribution: with-consent'));
    expect(problemsOf(copy.dir, 'error')).toContain('evidence/register.yaml:2: error: evidence ev-backup-test is internal but says redistribution: with-consent; internal evidence is never shared');
    copy.edit('evidence/register.yaml', (t) => t.replace('redistribution: with-consent', 'redistribution: maybe'));
    expect(problemsOf(copy.dir, 'error').some((e) => e.includes('"redistribution" must be one of allowed, with-consent, not-allowed'))).toBe(true);
  });

  it('refuses a bundle naming unknown evidence or a document that is not restricted', () => {
    copy = copyContent();
    copy.edit('evidence/register.yaml', (t) => `${t}bundles:\n  - { id: review, title: Review pack, description: The usual set., documents: [ev-backup-test, ev-nowhere] }\n`);
    const errors = problemsOf(copy.dir, 'error');
    expect(errors).toContain('evidence/register.yaml:15: error: bundle review names ev-backup-test, which is public, not a restricted (nda) document');
    expect(errors).toContain('evidence/register.yaml:15: error: bundle review names unknown evidence ev-nowhere');
    copy.edit('evidence/register.yaml', (t) => t.replace('access: public', 'access: nda').replace(', ev-nowhere', ''));
    expect(problemsOf(copy.dir, 'error').filter((e) => e.includes('bundle'))).toEqual([]);
  });

  it('refuses a canonical Yes on a question that reads as open', () => {
    copy = copyContent();
    copy.edit('library/data.yaml', (t) => t.replace('question: Do you back up customer data?', 'question: How long do you keep backups?'));
    expect(problemsOf(copy.dir, 'error')).toContain(
      'library/data.yaml:2: error: library answer "backups" reads as an open question ("How long do you keep backups?") but carries the canonical answer Yes; set kind: open (or responsibility/field) and remove "answer"',
    );
  });

  it('warns about a provider row that gives the customer a duty, not about a recommendation', () => {
    copy = copyContent();
    copy.edit('responsibility/technological.yaml', (t) => t.replace('      provider: Runs continuous archiving with point-in-time restore for 7 days.\n', '      provider: Runs continuous archiving with point-in-time restore for 7 days.\n      customer: Test a restore every quarter.\n'));
    const warning = 'responsibility iso27002:8.13 / db: party is provider but the customer text gives the customer a duty';
    expect(problemsOf(copy.dir, 'warning').some((w) => w.includes(warning))).toBe(true);
    copy.edit('responsibility/technological.yaml', (t) => t.replace('customer: Test a restore', 'customer: "Recommended: test a restore'));
    copy.edit('responsibility/technological.yaml', (t) => t.replace('every quarter.\n      owner: Database', 'every quarter."\n      owner: Database'));
    expect(problemsOf(copy.dir, 'warning').some((w) => w.includes(warning))).toBe(false);
  });

  it('warns about template text: the same provider text per service, one customer sentence with the service named, evidence summaries from one template', () => {
    copy = copyContent();
    copy.edit('responsibility/technological.yaml', (t) =>
      t
        .replace('Encrypts storage and connections.', 'Encrypts volumes with AES-256.')
        .replace('      customer: Encrypts data inside the guest where needed and manages their own keys.\n', '      customer: Manage your own encryption keys and rotate them every year for the machines you run on Acme VM.\n')
        .replace('      provider: Encrypts volumes with AES-256.\n      owner: Security Engineering\n', '      provider: Encrypts volumes with AES-256.\n      customer: Manage your own encryption keys and rotate them every year for the databases you run on Acme DB.\n      owner: Security Engineering\n'),
    );
    const item = (id: string, title: string) => `  - { id: ${id}, title: ${title}, summary: "${title} for Acme Cloud, kept as evidence.", kind: policy, owner: Security, source: Wiki, collected: -10d, reviewBy: +300d, controls: [iso27002:8.13], access: internal }\n`;
    copy.edit('evidence/register.yaml', (t) => t + item('ev-a', 'Backup policy') + item('ev-b', 'Key policy') + item('ev-c', 'Access policy'));
    const warnings = problemsOf(copy.dir, 'warning');
    expect(warnings.some((w) => w.includes('responsibility iso27002:8.24: the same provider text for vm, db'))).toBe(true);
    expect(warnings.some((w) => w.includes('responsibility iso27002:8.24: the customer text is one sentence with the service named'))).toBe(true);
    expect(warnings.filter((w) => w.includes('the summary is template text shared by 3 items'))).toHaveLength(3);
  });

  it('an "all" block is written once and applies to every service without its own block', () => {
    copy = copyContent();
    copy.edit('responsibility/technological.yaml', (t) => `${t}- control: iso27002:8.13\n  services: {}\n`.replace(/- control: iso27002:8.13\n  services: \{\}\n$/, ''));
    copy.edit('responsibility/technological.yaml', (t) =>
      t.replace(/- control: iso27002:8.24\n  services:\n    vm:/, '- control: iso27002:8.24\n  services:\n    all:\n      party: provider\n      provider: Encrypts all storage.\n      owner: Security Engineering\n    vm:'),
    );
    copy.edit('responsibility/technological.yaml', (t) => t.replace(/    db:\n      party: provider\n      provider: Encrypts storage and connections.\n      owner: Security Engineering\n      evidence: \[\]\n/, ''));
    const { bundle, problems } = checkContent(copy.dir, clock);
    expect(problems.filter((p) => p.level === 'error')).toEqual([]);
    const db = bundle.responsibilities.find((r) => r.id === 'iso27002:8.24|db');
    expect(db).toMatchObject({ party: 'provider', provider: 'Encrypts all storage.', inherited: true });
    expect(bundle.responsibilities.find((r) => r.id === 'iso27002:8.24|vm')).toMatchObject({ party: 'shared', inherited: false });
  });

  it('a subservice organisation carries a row only when it names a listed subprocessor', () => {
    copy = copyContent();
    copy.edit('responsibility/technological.yaml', (t) => t.replace('    db:\n      party: provider\n      provider: Runs continuous', '    db:\n      party: third-party\n      provider: Runs continuous'));
    expect(problemsOf(copy.dir, 'error').some((e) => e.includes('iso27002:8.13 / db: party is third-party but "thirdParties" names no subservice organisation'))).toBe(true);
    copy.edit('responsibility/technological.yaml', (t) => t.replace('      party: third-party\n', '      party: third-party\n      thirdParties: [colo-1]\n'));
    expect(problemsOf(copy.dir, 'error').some((e) => e.includes('unknown subprocessor "colo-1" in thirdParties'))).toBe(true);
    copy.edit('disclosures/subprocessors.yaml', () => 'subprocessors:\n  - { id: colo-1, name: Colo One, purpose: Data centre space, dataCategories: [customer-content], locations: [DE], started: -100d }\n');
    const { bundle, problems } = checkContent(copy.dir, clock);
    expect(problems.filter((p) => p.level === 'error').map(formatProblem)).toEqual([]);
    expect(bundle.responsibilities.find((r) => r.id === 'iso27002:8.13|db')).toMatchObject({ party: 'third-party', thirdParties: ['colo-1'] });
  });

  it('refuses two answers to the same question with different canonical answers', () => {
    copy = copyContent();
    copy.edit('library/data.yaml', (t) => t.replace('phrasings: [Do you encrypt stored data?,', 'phrasings: [Are backups taken?, Do you encrypt stored data?,').replace('answer: "Yes"\n    explanation: AES-256', 'answer: "Partial"\n    explanation: AES-256'));
    expect(problemsOf(copy.dir, 'error')).toContain('library/data.yaml:12: error: library answer "encryption" (Partial) and "backups" (Yes) answer the same question differently: "are backups taken"');
  });

  it('refuses a subprocessor added or removed without a change-log entry', () => {
    copy = copyContent();
    copy.edit('disclosures/changes.yaml', () => 'changes:\n  - { id: chg-1, published: -200d, effective: -170d, kind: location, title: Frankfurt opened, summary: A new region., refs: [eu-1] }\n');
    copy.edit('disclosures/subprocessors.yaml', (t) => `${t}  - { id: mailer, name: Mailer, purpose: Email, dataCategories: [customer-content], locations: [DE], started: -20d }\n`);
    expect(problemsOf(copy.dir, 'error')).toContain('disclosures/subprocessors.yaml:3: error: subprocessor mailer was added on 2026-11-08 but no change-log entry names it (disclosures/changes.yaml, refs)');
    copy.edit('disclosures/changes.yaml', (t) => `${t}  - { id: chg-2, published: -50d, effective: -20d, kind: subprocessor, title: New mailer, summary: Mailer sends email., refs: [mailer] }\n`);
    expect(problemsOf(copy.dir, 'error').filter((e) => e.includes('subprocessor mailer'))).toEqual([]);
  });

  it('passes the shipped demo content without errors, and warns only about evidence freshness', () => {
    const problems = checkContent(path.join(projectRoot, 'content'), clock).problems;
    expect(problems.filter((p) => p.level === 'error').map(formatProblem)).toEqual([]);
    // Stale and expiring evidence is deliberate in the demo; a certification gap or any other warning is not.
    expect(problems.filter((p) => p.level === 'warning' && !/ is stale: | expires soon: /.test(p.message)).map(formatProblem)).toEqual([]);
  });
});
