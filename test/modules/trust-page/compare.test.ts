import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';

// The shipped demo content: three services (IaaS, PaaS, SaaS) and the full matrix.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const page = async (url: string) => {
  const res = await t.app.inject({ url, headers: { accept: 'text/html' } });
  expect(res.statusCode, url).toBe(200);
  return res.body;
};

/** The comparison row of one control: its cells' text, in service order. */
function rowOf(html: string, controlId: string): string[] {
  const row = new RegExp(`<tr[^>]*>\\s*<th scope="row"><a href="/controls/${encodeURIComponent(controlId)}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
  return [...row.matchAll(/<td data-label="[^"]+">([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

describe('comparing services', () => {
  it('puts every service side by side with the customer part of each control', async () => {
    const html = await page('/responsibility/compare');
    const services = await t.database.db.selectFrom('services').select('name').orderBy('position').execute();
    for (const s of services) expect(html).toContain(`<th scope="col">${s.name} `);
    const total = await t.database.db.selectFrom('controls').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(html).toContain(`${Number(total.n)} of ${Number(total.n)} controls shown`);
    // Patching: the customer's job on the IaaS service, not on the SaaS one.
    const patching = rowOf(html, 'iso27002:8.8');
    expect(patching).toHaveLength(services.length);
    expect(patching[0]).toMatch(/You: .*(patch|update)/i);
    expect(patching[0]).not.toEqual(patching[2]);
  });

  it('shows only the controls where the customer part differs, when asked, without a script', async () => {
    const all = await page('/responsibility/compare');
    const differing = await page('/responsibility/compare?differ=1');
    const count = Number(/your part differs between services on (\d+)/.exec(all)?.[1]);
    expect(count).toBeGreaterThan(10);
    expect(differing).toContain(`${count} of `);
    expect((differing.match(/<th scope="row">/g) ?? []).length).toBe(count);
    expect(differing).toMatch(/name="differ" value="1" checked/);
    // An organisation-wide control (screening) is the same everywhere, so it drops out.
    expect(rowOf(all, 'iso27002:6.1')).not.toEqual([]);
    expect(rowOf(differing, 'iso27002:6.1')).toEqual([]);
  });

  it('is linked from the responsibility page and the controls index', async () => {
    expect(await page('/responsibility')).toContain('href="/responsibility/compare"');
    expect(await page('/controls')).toContain('href="/responsibility/compare"');
  });
});
