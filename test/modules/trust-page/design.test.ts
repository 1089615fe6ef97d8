import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';

// The shipped demo content: Nimbus Cloud, with a logo, an ISO/IEC 27001 certificate and its surveillance audit.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const html = async (url: string, status = 200) => {
  const res = await t.app.inject({ url, headers: { accept: 'text/html' } });
  expect(res.statusCode, url).toBe(status);
  return res.body;
};
/** The visible text of a page, tags and comments removed. */
const text = (page: string) => page.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the trust page design', () => {
  it('/controls lists every control by theme, titles first and linked, with the party per service', async () => {
    const page = await html('/controls');
    const rows = [...page.matchAll(/<th scope="row"><a href="(\/controls\/[^"]+)">([^<]+)<\/a> <span class="muted ref">([^<]+)<\/span><\/th>/g)];
    const total = Number(/The (\d+) security controls/.exec(page)?.[1]);
    expect(total).toBeGreaterThan(50);
    expect(rows).toHaveLength(total);
    expect(page).toMatch(/<span class="party party-(provider|customer|shared)">/);
    // Every link leads to a control page.
    expect((await t.app.inject({ url: rows[0]![1]! })).statusCode).toBe(200);
    expect(page).toMatch(/<a href="\/controls" aria-current="page">Controls<\/a>/);
  });

  it('the navigation marks the current page, and a menu without script serves narrow screens', async () => {
    const page = await html('/faq');
    expect(page.match(/<a href="\/faq" aria-current="page">FAQ<\/a>/g)).toHaveLength(2); // the bar, and the menu
    expect(page).toMatch(/<details class="menu narrow-only">\s*<summary>Menu<\/summary>/);
    expect(page).not.toMatch(/<script/);
    expect(page).toMatch(/<form class="site-search wide-only" method="get" action="\/search" role="search">/);
  });

  it('the overview shows one card per certificate, and never "valid valid"', async () => {
    const page = await html('/');
    const cards = [...page.matchAll(/<li class="card"><h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(cards.filter((c) => c!.startsWith('ISO/IEC 27001'))).toHaveLength(1);
    expect(cards).toContain('SOC 2 Type II (Security, Availability, Confidentiality)');
    expect(text(page)).not.toMatch(/valid valid/i);
  });

  it('error and access pages carry the provider identity; the product is named only as "Powered by Evident"', async () => {
    await html('/'); // the view model is loaded once the trust page was seen
    for (const [url, status] of [['/no-such-page', 404], ['/access/request', 200], ['/controls/nonsense', 404]] as const) {
      const page = await html(url, status);
      expect(page, url).toContain('Nimbus Cloud <span>Trust Center</span>');
      expect(page, url).toContain('<img src="/brand/logo"');
      expect(page, url).toMatch(/<title>[^<]*Nimbus Cloud Trust Center<\/title>/);
      expect(text(page).match(/Evident/g), url).toEqual(['Evident']);
      expect(text(page), url).toContain('Powered by Evident');
    }
  });
});
