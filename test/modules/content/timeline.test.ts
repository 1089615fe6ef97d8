import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../server/clock.js';
import { checkContent, formatProblem } from '../../../server/modules/content/service.js';
import { copyContent } from '../../helpers/content-fixture.js';

// Dated rules across disclosures, each on a small broken copy of the minimal fixture (today 2026-11-28).
const clock = fixedClock('2026-11-28T12:00:00Z');
let copy: ReturnType<typeof copyContent> | null = null;
afterEach(() => {
  copy?.remove();
  copy = null;
});

const problemsOf = (level: 'error' | 'warning') => checkContent(copy!.dir, clock).problems.filter((p) => p.level === level).map(formatProblem);
const addChange = (line: string) => copy!.edit('disclosures/changes.yaml', (t) => `${t}  - ${line}\n`);
const addSubprocessor = (line: string) => copy!.edit('disclosures/subprocessors.yaml', (t) => `${t}  - ${line}\n`);

describe('certification gaps', () => {
  const withPredecessor = (expires: string) => {
    copy!.edit('disclosures/certifications.yaml', (t) => t.replace('issued: -100d', 'supersedes: iso27001-2013, issued: -100d'));
    copy!.edit('disclosures/certifications.yaml', (t) => `${t}  - { id: iso27001-2013, kind: certificate, standard: ISO/IEC 27001:2013, title: Old certificate, scope: Everything, body: Certa, issued: -1200d, expires: ${expires}, lapsed: true }\n`);
  };

  it('warns when a successor was issued after the certification it supersedes had lapsed', () => {
    copy = copyContent();
    withPredecessor('-130d');
    expect(problemsOf('warning')).toContain('disclosures/certifications.yaml:2: warning: certification iso27001 was issued 2026-08-20, 30 days after iso27001-2013 lapsed on 2026-07-21');
  });

  it('is quiet when the successor was issued before the predecessor expired, and for a lapsed one nothing supersedes', () => {
    copy = copyContent();
    withPredecessor('-90d');
    expect(problemsOf('warning').filter((w) => w.includes('lapsed on'))).toEqual([]);
    copy.edit('disclosures/certifications.yaml', (t) => t.replace('supersedes: iso27001-2013, ', '').replace('expires: -90d', 'expires: -300d'));
    expect(problemsOf('warning').filter((w) => w.includes('lapsed on'))).toEqual([]);
  });
});

describe('changes effective in the future whose result is already listed', () => {
  it('refuses a subprocessor announced for a future day that already appears as current', () => {
    copy = copyContent();
    addSubprocessor('{ id: mailer, name: Mailer, purpose: Email, dataCategories: [customer-content], locations: [DE], started: -2d }');
    addChange('{ id: chg-mailer, published: -10d, effective: +20d, kind: subprocessor, title: Mailer joins, summary: Mailer sends email., refs: [mailer] }');
    expect(problemsOf('error')).toContain(
      'disclosures/changes.yaml:3: error: change chg-mailer takes effect on 2026-12-18, but subprocessor mailer already appears as current (started 2026-11-26 in disclosures/subprocessors.yaml); give it started: 2026-12-18',
    );
    copy.edit('disclosures/subprocessors.yaml', (t) => t.replace('started: -2d', 'started: +20d'));
    expect(problemsOf('error')).toEqual([]);
  });

  it('refuses a removal effective in the future of a subprocessor already gone', () => {
    copy = copyContent();
    copy.edit('disclosures/subprocessors.yaml', (t) => t.replace('started: -400d', 'started: -400d, ended: -5d'));
    addChange('{ id: chg-colo, published: -20d, effective: +10d, kind: subprocessor, title: Colo SE leaves, summary: We move out of Colo SE., refs: [colo] }');
    expect(problemsOf('error')).toContain(
      'disclosures/changes.yaml:3: error: change chg-colo takes effect on 2026-12-08, but subprocessor colo is already gone (ended 2026-11-23 in disclosures/subprocessors.yaml); give it ended: 2026-12-08',
    );
    copy.edit('disclosures/subprocessors.yaml', (t) => t.replace('ended: -5d', 'ended: +10d'));
    expect(problemsOf('error')).toEqual([]);
  });

  it('refuses a future location change for a long-standing subprocessor that the locations already show', () => {
    copy = copyContent();
    copy.edit('disclosures/locations.yaml', (t) => `${t}  - { id: ie-1, name: Dublin, country: IE, countryName: Ireland, jurisdiction: EU, lat: 53.35, lon: -6.26, services: [vm], dataCategories: [customer-content], backupRegion: same-region }\n`);
    copy.edit('disclosures/subprocessors.yaml', (t) => t.replace('locations: [DE]', 'locations: [DE, IE]'));
    addChange('{ id: chg-dub, published: -5d, effective: +25d, kind: subprocessor, title: Colo SE adds a Dublin site, summary: Colo SE hosts our new Dublin racks., refs: [colo, ie-1] }');
    const added = 'disclosures/changes.yaml:3: error: change chg-dub takes effect on 2026-12-23, but subprocessor colo already lists IE (Dublin) among its locations in disclosures/subprocessors.yaml; add it when the change takes effect';
    expect(problemsOf('error')).toContain(added);
    copy.edit('disclosures/subprocessors.yaml', (t) => t.replace('locations: [DE, IE]', 'locations: [DE]'));
    expect(problemsOf('error')).toEqual([]);
    // A removal reads the other way: the country must still be listed until the day it goes.
    copy.edit('disclosures/changes.yaml', (t) => t.replace('Colo SE adds a Dublin site', 'Colo SE leaves Dublin'));
    expect(problemsOf('error')).toContain(
      'disclosures/changes.yaml:3: error: change chg-dub takes effect on 2026-12-23, but subprocessor colo already lists no IE (Dublin) among its locations in disclosures/subprocessors.yaml; keep it there until the change takes effect',
    );
  });

  it('leaves past changes to the change-log rules', () => {
    copy = copyContent();
    addChange('{ id: chg-old, published: -60d, effective: -30d, kind: subprocessor, title: Colo SE renews, summary: Renewed contract., refs: [colo] }');
    expect(problemsOf('error')).toEqual([]);
  });
});
