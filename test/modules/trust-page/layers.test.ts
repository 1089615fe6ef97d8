import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../server/config.js';
import { createMigrator, migrateToLatest } from '../../../server/db/migrate.js';
import { PARTIES } from '../../../server/modules/content/schema.js';
import { syncContent } from '../../../server/modules/content/service.js';
import { createTestApp, demoContentDir, TEST_NOW, type TestApp } from '../../helpers/app.js';
import { adjustableClock } from '../../helpers/clock.js';
import { createTestDatabase } from '../../helpers/database.js';

// The shipped demo content: three services, each with its stack from the facility up to identities.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const html = async (url: string) => {
  const res = await t.app.inject({ url, headers: { accept: 'text/html' } });
  expect(res.statusCode, url).toBe(200);
  return res.body;
};

interface Layer {
  layer: string;
  party: string;
  note: string;
  subprocessors: string[];
}
const servicesOf = async () => (await t.app.inject({ url: '/api/v1/trust' })).json().services as { id: string; name: string; layers: Layer[] }[];

/** Each stack picture of a page: its layers' party classes and accessible names, top to bottom as listed. */
function stacksOf(page: string) {
  return [...page.matchAll(/<svg class="layer-stack"[\s\S]*?<\/svg>/g)].map((m) => ({
    fills: (m[0].match(/<rect class="fill"/g) ?? []).length,
    layers: [...m[0].matchAll(/<g class="layer party-([a-z-]+)" role="img" aria-label="([^"]+)">/g)].map((g) => ({ party: g[1]!, label: g[2]! })),
  }));
}

describe('the stack picture of each service', () => {
  it('the public JSON carries each service\'s layers bottom-up, a third-party layer naming its subprocessors', async () => {
    const services = await servicesOf();
    expect(services.map((s) => s.id)).toEqual(['compute', 'managed-postgres', 'insights']);
    for (const s of services) expect(s.layers.map((l) => l.layer)).toEqual(['facility', 'network', 'virtualisation', 'guest-os', 'runtime', 'application', 'data', 'identities']);
    const guestOs = (id: string) => services.find((s) => s.id === id)!.layers.find((l) => l.layer === 'guest-os')!.party;
    expect([guestOs('compute'), guestOs('managed-postgres'), guestOs('insights')]).toEqual(['customer', 'provider', 'provider']);
    const facility = services.find((s) => s.id === 'insights')!.layers[0]!;
    expect(facility).toMatchObject({ party: 'shared-third-party', subprocessors: ['helix-colo', 'potomac-dc'] });
    // The services endpoint says the same.
    const listed = (await t.app.inject({ url: '/api/v1/services' })).json().services as { id: string; layers: Layer[] }[];
    expect(listed.find((s) => s.id === 'compute')!.layers).toEqual(services[0]!.layers);
  });

  it('/responsibility draws the chosen service: one box per layer, coloured by its party, with words for each', async () => {
    const [compute] = await servicesOf();
    const page = await html('/responsibility?service=compute');
    const stacks = stacksOf(page);
    expect(stacks).toHaveLength(1);
    expect(stacks[0]!.fills).toBe(compute!.layers.length);
    // Listed top-down as seen (identities first), one party class per layer as the content says.
    expect(stacks[0]!.layers.map((l) => l.party)).toEqual(compute!.layers.map((l) => l.party).reverse());
    expect(stacks[0]!.layers).toContainEqual({ party: 'customer', label: 'Guest OS: customer — You choose the image, then patch and harden the operating system inside your machines.' });
    expect(stacks[0]!.layers.find((l) => l.label.startsWith('Facility'))!.label).toContain('(Helix Colocation SE, Albion Data Centres Ltd, Potomac Colocation LLC, Merlion Facilities Pte. Ltd.)');
    // The legend names the parties drawn, and only those.
    const legend = [...(/<ul class="stack-legend"[\s\S]*?<\/ul>/.exec(page)?.[0] ?? '').matchAll(/swatch-([a-z-]+)/g)].map((m) => m[1]);
    expect(legend).toEqual(['provider', 'customer', 'shared', 'shared-third-party']);
    // Another service, another picture.
    const saas = stacksOf(await html('/responsibility?service=insights'))[0]!;
    expect(saas.layers.filter((l) => l.party === 'customer')).toEqual([]);
  });

  it('/responsibility/compare puts the three stacks side by side, with ids unique on the page', async () => {
    const page = await html('/responsibility/compare');
    const stacks = stacksOf(page);
    expect(stacks.map((s) => s.fills)).toEqual([8, 8, 8]);
    expect(stacks.map((s) => s.layers.filter((l) => l.party === 'customer').length)).toEqual([4, 2, 0]);
    const ids = [...page.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the party colours', () => {
  /** WCAG relative luminance and contrast ratio of two #rrggbb colours. */
  const luminance = (hex: string) =>
    [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
  const contrast = (a: string, b: string) => (Math.max(luminance(a), luminance(b)) + 0.05) / (Math.min(luminance(a), luminance(b)) + 0.05);

  it('every party has a token whose fill takes white text at 4.5:1 or more (and so stands 3:1 or more off the white page)', () => {
    const css = readFileSync(path.join(projectRoot, 'web', 'static', 'css', 'main.css'), 'utf8');
    const tokens = Object.fromEntries([...css.matchAll(/--party-([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(tokens).sort()).toEqual([...PARTIES].sort());
    for (const [party, colour] of Object.entries(tokens)) expect(contrast(colour, '#ffffff'), party).toBeGreaterThanOrEqual(4.5);
  });
});

describe('the overview\'s certifications', () => {
  const badgesOf = (page: string) =>
    [...(/<ul class="framework-badges"[\s\S]*?<\/ul>/.exec(page)?.[0] ?? '').matchAll(/<li><a href="([^"]+)">([^<]+)<\/a>( <span class="badge badge-expiring">)?/g)].map((m) => ({ href: m[1], name: m[2], expiring: Boolean(m[3]) }));

  it('a badge per framework held, each leading to the certification that holds it, and one card per certificate', async () => {
    t.clock.set(TEST_NOW);
    const page = await html('/');
    const badges = badgesOf(page);
    expect(badges.map((b) => b.name)).toEqual(['ISO/IEC 27001', 'ISO/IEC 27017', 'ISO/IEC 27018', 'SOC 2', 'CSA STAR']);
    // The certificate, not its surveillance report nor the lapsed 2013 certificate.
    expect(badges[0]!.href).toBe('/certifications#iso27001-2022');
    const certifications = await html('/certifications');
    for (const b of badges) expect(certifications).toContain(`id="${b.href.split('#')[1]}"`);
    const cards = [...page.matchAll(/<li class="card"><h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(cards).toEqual(['ISO/IEC 27001:2022', 'SOC 2 Type II (Security, Availability, Confidentiality)', 'CSA STAR Level 2']);
  });

  it('a framework whose only certification is close to its end says so, and one past it loses its badge', async () => {
    // The SOC 2 report runs until 245 days after the test day.
    t.clock.set('2027-07-20T12:00:00Z');
    let badges = badgesOf(await html('/'));
    expect(badges.find((b) => b.name === 'SOC 2')).toMatchObject({ expiring: true });
    expect(badges.find((b) => b.name === 'ISO/IEC 27001')).toMatchObject({ expiring: false });
    t.clock.set('2027-09-01T12:00:00Z');
    badges = badgesOf(await html('/'));
    expect(badges.map((b) => b.name)).toEqual(['ISO/IEC 27001', 'ISO/IEC 27017', 'ISO/IEC 27018', 'CSA STAR']);
    t.clock.set(TEST_NOW);
  });
});

describe('a database from before services had layers', () => {
  it('gains an empty list on migration, and the layers at the next content sync', async () => {
    const database = await createTestDatabase({ migrate: false });
    try {
      await (await createMigrator(database.db)).migrateTo('2026-12-01T1610_oidc_staff');
      await sql`insert into services (id, name, model, summary, description, position, content_hash) values ('compute', 'Nimbus Compute', 'IaaS', 'VMs.', 'Virtual machines.', 0, 'before-layers')`.execute(database.db);
      await migrateToLatest(database.db);
      const migrated = await database.db.selectFrom('services').select(['id', 'layers']).execute();
      expect(migrated).toEqual([{ id: 'compute', layers: [] }]);
      await syncContent(database.db, demoContentDir, adjustableClock(TEST_NOW));
      const synced = await database.db.selectFrom('services').select(['id', 'layers']).where('id', '=', 'compute').executeTakeFirstOrThrow();
      expect(synced.layers.map((l) => `${l.layer}:${l.party}`)).toEqual([
        'facility:shared-third-party', 'network:shared', 'virtualisation:provider', 'guest-os:customer',
        'runtime:customer', 'application:customer', 'data:customer', 'identities:shared',
      ]);
    } finally {
      await database.close();
    }
  });
});
