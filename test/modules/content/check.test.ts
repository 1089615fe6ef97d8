import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../server/clock.js';
import { checkContent, formatProblem } from '../../../server/modules/content/service.js';
import { resolveContentDate } from '../../../server/modules/content/dates.js';
import { copyContent, minimalContentDir } from '../../helpers/content-fixture.js';

const clock = fixedClock('2026-11-28T12:00:00Z');
let copy: ReturnType<typeof copyContent> | null = null;
afterEach(() => {
  copy?.remove();
  copy = null;
});

function errorsOf(dir: string): string[] {
  return checkContent(dir, clock).problems.filter((p) => p.level === 'error').map(formatProblem);
}

describe('content check', () => {
  it('passes the minimal fixture without problems', () => {
    expect(checkContent(minimalContentDir, clock).problems).toEqual([]);
  });

  it('reports broken YAML with its file and line', () => {
    copy = copyContent();
    copy.edit('services.yaml', (t) => t.replace('  - id: db', '  - id: db\n    name: [unclosed'));
    const errors = errorsOf(copy.dir);
    expect(errors.some((e) => /^services\.yaml:\d+: error: YAML syntax/.test(e))).toBe(true);
  });

  it('reports a missing required field at the entry line', () => {
    copy = copyContent();
    copy.edit('library/data.yaml', (t) => t.replace('    explanation: Daily backups, kept 35 days.\n', ''));
    expect(errorsOf(copy.dir)).toContain('library/data.yaml:2: error: answer "backups": missing required field "explanation"');
  });

  it('refuses a canonical yes/no answer on an open question, and an event without its day', () => {
    copy = copyContent();
    copy.edit('library/data.yaml', (t) => t.replace('    explanation: Daily backups, kept 35 days.\n', '    kind: open\n    explanation: Daily backups, kept 35 days.\n'));
    const errors = errorsOf(copy.dir);
    expect(errors.some((e) => /^library\/data\.yaml:2: error: library answer "backups" is an open question: a canonical "answer" \(Yes\)/.test(e))).toBe(true);
    copy.edit('library/data.yaml', (t) => t.replace('    kind: open\n', '    kind: event\n'));
    expect(errorsOf(copy.dir)).toContain('library/data.yaml:2: error: library answer "backups" is an event: give the day it is true on ("asOf")');
  });

  it('reports a malformed value at the field line', () => {
    copy = copyContent();
    copy.edit('services.yaml', (t) => t.replace('model: PaaS', 'model: Serverless'));
    expect(errorsOf(copy.dir)).toContain('services.yaml:9: error: service "db": "model" must be one of IaaS, PaaS, SaaS');
  });

  it('reports dangling ids: unknown control, service and evidence', () => {
    copy = copyContent();
    copy.edit('library/data.yaml', (t) => t.replace('controls: [iso27002:8.24]', 'controls: [iso27002:9.99]'));
    copy.edit('responsibility/technological.yaml', (t) => t.replace('    db:\n      party: provider\n      provider: Runs', '    dbx:\n      party: provider\n      provider: Runs'));
    copy.edit('evidence/register.yaml', (t) => t.replace('controls: [iso27002:8.13]', 'controls: [iso27002:8.13, iso27017:CLD.1.2.3]'));
    const errors = errorsOf(copy.dir);
    expect(errors).toContain('library/data.yaml:12: error: answer encryption: unknown control "iso27002:9.99"');
    expect(errors.some((e) => /responsibility\/technological\.yaml:\d+: error: responsibility iso27002:8.13 \/ dbx: unknown service "dbx"/.test(e))).toBe(true);
    expect(errors.some((e) => e.includes('evidence ev-backup-test: unknown control "iso27017:CLD.1.2.3"'))).toBe(true);
    // the service whose block was renamed now lacks an entry: a warning, not an error
    const warnings = checkContent(copy.dir, clock).problems.filter((p) => p.level === 'warning').map((p) => p.message);
    expect(warnings).toContain('control iso27002:8.13 has no responsibility entry for service "db"');
  });

  it('requires a customer duty for customer and shared responsibilities', () => {
    copy = copyContent();
    copy.edit('responsibility/technological.yaml', (t) => t.replace('      customer: Encrypts data inside the guest where needed and manages their own keys.\n', ''));
    expect(errorsOf(copy.dir).some((e) => e.includes('iso27002:8.24 / vm: party is shared but no customer duty is written'))).toBe(true);
  });

  it('detects an evidence file whose hash does not match the register', () => {
    copy = copyContent();
    copy.edit('evidence/files/backup-test.txt', () => 'tampered\n');
    expect(errorsOf(copy.dir).some((e) => /evidence ev-backup-test: sha256 of evidence\/files\/backup-test\.txt is [0-9a-f]{64}, the register says/.test(e))).toBe(true);
  });

  it('refuses nda evidence that is not a PDF', () => {
    copy = copyContent();
    copy.edit('evidence/register.yaml', (t) => t.replace('access: public', 'access: nda'));
    expect(errorsOf(copy.dir).some((e) => e.includes('nda documents must be unencrypted PDFs'))).toBe(true);
  });

  it('refuses a mapping that reads a management-system clause as an Annex A control', () => {
    copy = copyContent();
    copy.edit('frameworks/mapping-2013-2022.yaml', (t) => `${t}  - { from: "7.2", title2013: Competence, to: ["A.7.2"], relationship: equal }\n  - { from: "12.3.1", title2013: Backup, to: ["8.13"], relationship: equal }\n`);
    const errors = errorsOf(copy.dir);
    expect(errors).toContain('frameworks/mapping-2013-2022.yaml:4: error: mapping 7.2: the clause maps to "A.7.2", which is not a clause; clauses are never Annex A controls');
    expect(errors).toContain('frameworks/mapping-2013-2022.yaml:5: error: mapping 12.3.1: neither an Annex A control (A.x.y.z) nor an ISO/IEC 27001 clause (4-10)');
  });

  it('renders {{fact.x}} from facts.yaml and refuses an unknown fact or a value outside its choices', () => {
    copy = copyContent();
    copy.edit('library/data.yaml', (t) => t.replace('Daily backups, kept 35 days.', 'Daily backups, kept {{fact.retention.backupDays}}.'));
    const ok = checkContent(copy.dir, clock);
    expect(ok.problems.filter((p) => p.level === 'error')).toEqual([]);
    expect(ok.bundle.library.find((a) => a.id === 'backups')?.explanation).toBe('Daily backups, kept 35 days.');
    copy.edit('library/data.yaml', (t) => t.replace('{{fact.retention.backupDays}}', '{{fact.retention.backupWeeks}}'));
    copy.edit('facts.yaml', (t) => t.replace('value: customer', 'value: nobody'));
    const errors = errorsOf(copy.dir);
    expect(errors).toContain('library/data.yaml:2: error: answer "backups": unknown fact "retention.backupWeeks" in {{fact.retention.backupWeeks}}');
    expect(errors).toContain('facts.yaml:3: error: fact "backup.vm.by": "nobody" is not one of provider, customer');
  });

  it('requires every region to say where its backups go', () => {
    copy = copyContent();
    copy.edit('disclosures/locations.yaml', (t) => t.replace('    backupRegion: same-region\n', ''));
    expect(errorsOf(copy.dir).some((e) => e.includes('region "eu-1": missing required field "backupRegion"'))).toBe(true);
    copy.edit('disclosures/locations.yaml', (t) => t.replace('    dataCategories: [customer-content]\n', '    dataCategories: [customer-content]\n    backupRegion: mars-1\n'));
    expect(errorsOf(copy.dir).some((e) => e.includes('region eu-1: unknown backup region "mars-1" (a region id, same-region or none)'))).toBe(true);
  });

  it('warns, without failing, about stale evidence', () => {
    copy = copyContent();
    copy.edit('evidence/register.yaml', (t) => t.replace('reviewBy: +60d', 'reviewBy: -1d'));
    const { problems } = checkContent(copy.dir, clock);
    expect(problems.filter((p) => p.level === 'error')).toEqual([]);
    expect(problems.map((p) => p.message)).toContain('evidence ev-backup-test is stale: its review-by date 2026-11-27 has passed');
  });
});

describe('content dates', () => {
  it('resolves relative dates against the sync day and keeps absolute ones', () => {
    expect(resolveContentDate('-45d', '2026-11-28')).toBe('2026-10-14');
    expect(resolveContentDate('+365d', '2026-11-28')).toBe('2027-11-28');
    expect(resolveContentDate('2026-03-31', '2026-11-28')).toBe('2026-03-31');
    expect(resolveContentDate('next week', '2026-11-28')).toBeNull();
    expect(resolveContentDate('2026-02-30', '2026-11-28')).toBe(null);
  });
});
