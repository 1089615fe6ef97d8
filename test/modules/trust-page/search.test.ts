import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';

// The shipped demo content: a hundred controls, three services, documents, FAQ, library answers.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** The page with the entities Handlebars writes in attributes decoded, so links read as sent. */
const page = async (url: string) => {
  const res = await t.app.inject({ url });
  expect(res.statusCode, url).toBe(200);
  return res.body.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
};
const items = (html: string) => [...html.matchAll(/<li><a href="([^"]+)">([^<]+)<\/a> <span class="tag">([^<]+)<\/span>/g)].map(([, url, title, kind]) => ({ url: url!, title: title!, kind: kind! }));
const totalOf = (html: string) => Number(/(\d+) results? for/.exec(html)?.[1] ?? 0);
const countOf = (html: string, label: string) => Number(new RegExp(`>${label} <span class="count">(\\d+)</span>`).exec(html)?.[1]);

describe('search', () => {
  it('says plainly when nothing matches, and offers to ask or to request a document', async () => {
    const html = await page('/search?q=xyzzy');
    expect(html).toContain('No results for “xyzzy”.');
    expect(html).not.toContain('<ol class="results"');
    expect(html).toContain('href="/ask?q=xyzzy"');
    expect(html).toContain('href="/access/request"');
    expect(countOf(html, 'Controls')).toBe(0);
  });

  it('counts every match, pages through them, and shows each control once', async () => {
    const first = await page('/search?q=encryption');
    const total = totalOf(first);
    expect(total).toBeGreaterThan(10);
    expect(items(first)).toHaveLength(10);
    const seen: string[] = [];
    let html = first;
    for (let n = 1; ; n++) {
      seen.push(...items(html).map((i) => i.url));
      const next = /<a href="([^"]+)" rel="next">/.exec(html)?.[1];
      if (!next) break;
      expect(next).toContain(`page=${n + 1}`);
      html = await page(next);
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    // A page past the end shows the last page rather than an empty one.
    expect(items(await page('/search?q=encryption&page=999')).length).toBeGreaterThan(0);
  });

  it('a control found through several services is one result that names them', async () => {
    const html = await page('/search?q=patch&type=responsibilities');
    const found = items(html);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((i) => i.url.startsWith('/controls/'))).toBe(true);
    expect(new Set(found.map((i) => i.url)).size).toBe(found.length);
    expect(html).toMatch(/<span class="services">[^<]+\((provider|customer|shared)\), [^<]+\((provider|customer|shared)\)/);
  });

  it('filters by type, with the count each filter promises', async () => {
    const all = await page('/search?q=backup');
    for (const [type, label, kinds] of [
      ['documents', 'Documents', ['Document', 'Document (NDA)']],
      ['faq', 'FAQ', ['FAQ']],
      ['answers', 'Answers', ['Answer']],
    ] as const) {
      const promised = countOf(all, label);
      const html = await page(`/search?q=backup&type=${type}`);
      expect(totalOf(html), type).toBe(promised);
      expect(items(html).every((i) => (kinds as readonly string[]).includes(i.kind)), type).toBe(true);
      expect(html).toMatch(new RegExp(`aria-current="page">${label}`));
    }
    // An unknown type reads as no filter.
    expect(totalOf(await page('/search?q=backup&type=nonsense'))).toBe(totalOf(all));
  });
});
