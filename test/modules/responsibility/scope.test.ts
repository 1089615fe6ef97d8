import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../server/clock.js';
import { checkContent, formatProblem } from '../../../server/modules/content/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { copyContent } from '../../helpers/content-fixture.js';

// Web filtering: Compute leaves it to the customer, Managed PostgreSQL has no web access at all,
// and the provider filters its own staff's web access (the entry's isms block in the demo content).
const CONTROL = 'iso27002:8.23';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('responsibilities of scope isms: how the provider runs a control for itself', () => {
  it('are stored apart from the matrix: one row per control, no service', async () => {
    const row = await t.app.deps.db.selectFrom('responsibilities').selectAll().where('id', '=', `${CONTROL}|isms`).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ scope: 'isms', service_id: null, party: 'provider', owner: 'Security Engineering' });
    const matrix = await t.app.inject({ method: 'GET', url: `/api/v1/responsibilities?control=${encodeURIComponent(CONTROL)}` });
    expect(matrix.json().responsibilities.map((r: { service: string }) => r.service)).toEqual(['compute', 'managed-postgres', 'insights']);
  });

  it('are shown with the control, in the API and on its public page', async () => {
    const api = (await t.app.inject({ method: 'GET', url: `/api/v1/controls/${encodeURIComponent(CONTROL)}` })).json();
    expect(api.control.isms.provider).toBe('Nimbus filters web access on the devices of its own staff.');
    // The owning team is for staff; the public sees what is done and its public evidence.
    expect(api.control.isms.owner).toBeUndefined();
    const page = await t.app.inject({ method: 'GET', url: `/controls/${encodeURIComponent(CONTROL)}` });
    expect(page.body).toContain('How we run it ourselves');
    expect(page.body).toContain('Nimbus filters web access on the devices of its own staff.');
    const other = await t.app.inject({ method: 'GET', url: '/controls/iso27002%3A8.24' });
    expect(other.body).not.toContain('How we run it ourselves');
  });
});

describe('rows that differ by region', () => {
  it('name the region and what differs there, on the control page and in the API', async () => {
    const api = (await t.app.inject({ method: 'GET', url: '/api/v1/controls/iso27002%3A7.1' })).json();
    const byService = Object.fromEntries(api.control.responsibilities.map((r: { service: string; thirdParties: string[]; regions: Record<string, unknown> }) => [r.service, r]));
    expect(byService.compute.thirdParties).toEqual(['helix-colo']);
    expect(byService.compute.regions).toEqual({ 'uk-lon': { thirdParties: ['albion-dc'] }, 'us-va': { thirdParties: ['potomac-dc'] }, 'us-or': { thirdParties: ['potomac-dc'] }, 'sg-sin': { thirdParties: ['merlion-dc'] } });
    // Written once under "all": a service keeps only the regions that host it (Insights runs in Frankfurt, Dublin and Virginia).
    expect(byService.insights.regions).toEqual({ 'us-va': { thirdParties: ['potomac-dc'] } });
    const page = (await t.app.inject({ method: 'GET', url: '/controls/iso27002%3A7.1' })).body;
    expect(page).toContain('<strong>In London:</strong> Run by Albion Data Centres Ltd.');
    expect(page).toContain('<strong>In Singapore:</strong> Run by Merlion Facilities Pte. Ltd.');
  });
});

describe('the isms block in content', () => {
  const clock = fixedClock('2026-11-28T12:00:00Z');
  let copy: ReturnType<typeof copyContent> | null = null;
  afterEach(() => {
    copy?.remove();
    copy = null;
  });
  const withIsms = (block: string) => {
    copy = copyContent();
    copy.edit('responsibility/technological.yaml', (text) => text.replace('- control: iso27002:8.13\n', `- control: iso27002:8.13\n  isms:\n${block}`));
    return checkContent(copy.dir, clock);
  };

  it('is read once per control, with its facts rendered', () => {
    const result = withIsms('    provider: Our own laptops are backed up daily.\n    owner: IT\n    evidence: [ev-backup-test]\n');
    expect(result.problems.filter((p) => p.level === 'error')).toEqual([]);
    expect(result.bundle.ismsPractices).toEqual([expect.objectContaining({ id: 'iso27002:8.13|isms', controlId: 'iso27002:8.13', provider: 'Our own laptops are backed up daily.', owner: 'IT', evidence: ['ev-backup-test'] })]);
    // The matrix keeps its rows per service.
    expect(result.bundle.responsibilities.filter((r) => r.controlId === 'iso27002:8.13').map((r) => r.serviceId)).toEqual(['vm', 'db']);
  });

  it('needs the provider text, and names unknown evidence with file and line', () => {
    const missing = withIsms('    owner: IT\n').problems.filter((p) => p.level === 'error').map(formatProblem);
    expect(missing.some((m) => m.startsWith('responsibility/technological.yaml:') && m.includes('iso27002:8.13 / isms') && m.includes('provider'))).toBe(true);
    copy?.remove();
    const unknown = withIsms('    provider: Done.\n    owner: IT\n    evidence: [ev-nope]\n').problems.filter((p) => p.level === 'error').map(formatProblem);
    expect(unknown).toContain('responsibility/technological.yaml:3: error: responsibility iso27002:8.13 / isms: unknown evidence "ev-nope"');
  });
});

describe('region overrides in content', () => {
  const clock = fixedClock('2026-11-28T12:00:00Z');
  let copy: ReturnType<typeof copyContent> | null = null;
  afterEach(() => {
    copy?.remove();
    copy = null;
  });
  /** The db block of 8.13 (responsibility/technological.yaml) gets these region lines. */
  const withRegions = (lines: string, editLocations?: (t: string) => string) => {
    copy = copyContent();
    copy.edit('responsibility/technological.yaml', (text) => text.replace('      provider: Runs continuous archiving with point-in-time restore for 7 days.\n', `      provider: Runs continuous archiving with point-in-time restore for 7 days.\n      regions:\n${lines}`));
    if (editLocations) copy.edit('disclosures/locations.yaml', editLocations);
    return checkContent(copy.dir, clock);
  };
  const errors = (result: ReturnType<typeof checkContent>) => result.problems.filter((p) => p.level === 'error').map(formatProblem);

  it('reads what differs in a region', () => {
    const result = withRegions('        eu-1: { party: shared, customer: Keeps a logical dump in a second region. }\n');
    expect(errors(result)).toEqual([]);
    const db = result.bundle.responsibilities.find((r) => r.id === 'iso27002:8.13|db')!;
    expect(db.regions).toEqual({ 'eu-1': { party: 'shared', customer: 'Keeps a logical dump in a second region.' } });
  });

  it('refuses an unknown region, a region that does not host the service, and a region with nothing that differs', () => {
    expect(errors(withRegions('        xx-9: { provider: Elsewhere. }\n'))).toContain('responsibility/technological.yaml:10: error: responsibility iso27002:8.13 / db, region xx-9: unknown region (see disclosures/locations.yaml)');
    copy?.remove();
    const notHosted = errors(withRegions('        eu-1: { provider: Elsewhere. }\n', (t) => t.replace('services: [vm, db]', 'services: [vm]')));
    expect(notHosted).toContain('responsibility/technological.yaml:10: error: responsibility iso27002:8.13 / db, region eu-1: the region does not host service "db"');
    copy?.remove();
    expect(errors(withRegions('        eu-1: {}\n')).some((e) => e.includes('region eu-1: name the fields that differ'))).toBe(true);
    copy?.remove();
    expect(errors(withRegions('        eu-1: { party: shared }\n'))).toContain('responsibility/technological.yaml:10: error: responsibility iso27002:8.13 / db, region eu-1: party is shared but no customer duty is written');
  });
});
