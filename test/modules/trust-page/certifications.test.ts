import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncContent } from '../../../server/modules/content/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { copyContent } from '../../helpers/content-fixture.js';

// The shipped demo content: an ISO/IEC 27001 certificate, a SOC 2 report that supersedes last year's, a lapsed 2013 certificate.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** One certification's card (or history entry), from its id to the next card. */
function card(page: string, id: string): string {
  const start = page.indexOf(`id="${id}"`);
  expect(start, id).toBeGreaterThan(-1);
  const end = page.indexOf('</article>', start);
  return page.slice(start, end === -1 ? page.indexOf('</li>', start) : end);
}

describe('certifications as an auditor reads them', () => {
  it('a certificate shows its body and accreditation, the number with a link to verify it, its scope as lists and the SoA version', async () => {
    const page = (await t.app.inject({ url: '/certifications' })).body;
    const iso = card(page, 'iso27001-2022');
    expect(iso).toContain('<dt>Issued by</dt><dd>Certa Assurance GmbH (fictional)</dd>');
    expect(iso).toContain('<dt>Accreditation</dt><dd>National Accreditation Office (fictional), accreditation NAO-ZM-40117-01</dd>');
    expect(iso).toMatch(/<dt>Certificate number<\/dt><dd>CA-ISMS-2025-0417 — <a href="https:\/\/certa-assurance\.example\/verify\/CA-ISMS-2025-0417" rel="noopener external">verify CA-ISMS-2025-0417 with Certa Assurance GmbH \(fictional\)<\/a><\/dd>/);
    expect(iso).toMatch(/<h3 id="s-iso27001-2022">Services in scope<\/h3><ul[^>]*><li>Nimbus Compute<\/li><li>Nimbus Managed PostgreSQL<\/li><li>Nimbus Insights<\/li><\/ul>/);
    expect(iso).toMatch(/Regions in scope<\/h3><ul[^>]*><li>Frankfurt \(Germany\)<\/li>.*<li>Singapore<\/li><\/ul>/);
    expect(iso).toContain('<li>Network operations centre, Ashburn (Virginia)</li>');
    expect(iso).toContain('<dt>Statement of Applicability</dt><dd>version 4.1</dd>');
    expect(iso).not.toContain('Opinion');
  });

  it('a report shows its period, opinion, the complementary customer controls in a disclosure, and what it supersedes', async () => {
    const page = (await t.app.inject({ url: '/certifications' })).body;
    const soc2 = card(page, 'soc2-type2');
    expect(soc2).toMatch(/<dt>Period covered<\/dt><dd><time datetime="\d{4}-\d{2}-\d{2}">/);
    expect(soc2).toContain('<dt>Opinion</dt><dd>Unqualified: the auditor found the controls suitably designed and operating effectively</dd>');
    const cuecs = /<details class="cuecs">\s*<summary>Complementary customer controls \((\d+)\)[^<]*<\/summary>\s*<ul>(.*?)<\/ul>/s.exec(soc2);
    expect(Number(cuecs?.[1])).toBeGreaterThanOrEqual(4);
    expect(cuecs?.[2].match(/<li>/g)).toHaveLength(Number(cuecs?.[1]));
    expect(soc2).toContain('<dt>Supersedes</dt><dd><a href="#soc2-type2-previous">SOC 2 Type II report (previous period)</a></dd>');
    // The report it replaced is history, linked back to its successor; the lapsed 2013 certificate is kept for the record.
    expect(card(page, 'soc2-type2-previous')).toContain('superseded by <a href="#soc2-type2">SOC 2 Type II report</a>');
    expect(card(page, 'iso27001-2013')).toContain('kept for the record');
  });

  it('/api/v1/trust and /api/v1/certifications carry the same fields', async () => {
    for (const url of ['/api/v1/trust', '/api/v1/certifications']) {
      const body = JSON.parse((await t.app.inject({ url })).body) as { certifications: Record<string, unknown>[] };
      const soc2 = body.certifications.find((c) => c.id === 'soc2-type2');
      expect(soc2, url).toMatchObject({
        accreditation: expect.stringContaining('CPA firm'),
        scopeServices: ['compute', 'managed-postgres', 'insights'],
        scopeRegions: expect.not.arrayContaining(['sg-sin']),
        opinion: 'unqualified',
        supersedes: 'soc2-type2-previous',
        periodStart: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      expect((soc2?.complementaryCustomerControls as string[]).length, url).toBeGreaterThanOrEqual(4);
      const iso = body.certifications.find((c) => c.id === 'iso27001-2022');
      expect(iso, url).toMatchObject({ verificationUrl: 'https://certa-assurance.example/verify/CA-ISMS-2025-0417', soaVersion: '4.1', scopeSites: expect.arrayContaining(['Engineering and support office, Dublin']) });
    }
  });
});

describe('a database synced before these fields existed', () => {
  it('shows them after the next sync: they live in the JSON the certifications table already keeps, so no migration is needed', async () => {
    const content = copyContent();
    const old = await createTestApp({ contentDir: content.dir });
    try {
      const before = JSON.parse((await old.app.inject({ url: '/api/v1/certifications' })).body) as { certifications: Record<string, unknown>[] };
      expect(before.certifications[0]).not.toHaveProperty('accreditation');
      content.edit('disclosures/certifications.yaml', (t) => t.replace('issued: -100d', 'accreditation: "Accreditor (fictional), no. 7", scopeServices: [vm], soaVersion: "2.0", issued: -100d'));
      await syncContent(old.database.db, content.dir, old.clock);
      const after = JSON.parse((await old.app.inject({ url: '/api/v1/certifications' })).body) as { certifications: Record<string, unknown>[] };
      expect(after.certifications[0]).toMatchObject({ accreditation: 'Accreditor (fictional), no. 7', scopeServices: ['vm'], soaVersion: '2.0' });
      const page = (await old.app.inject({ url: '/certifications' })).body;
      expect(page).toContain('<dt>Accreditation</dt><dd>Accreditor (fictional), no. 7</dd>');
      expect(page).toContain('<li>Acme VMs</li>');
    } finally {
      await old.close();
      content.remove();
    }
  });
});
