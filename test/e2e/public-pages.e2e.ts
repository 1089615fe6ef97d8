/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshotsDir, startHarness, type Harness } from './harness.js';
import path from 'node:path';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const pages = ['/', '/certifications', '/data-locations', '/subprocessors', '/responsibility', '/responsibility/compare', '/controls', '/controls/iso27002%3A5.15', '/documents', '/faq', '/changes', '/search?q=encryption', '/search?q=xyzzy', '/ask?q=Do+you+encrypt+data+at+rest%3F', '/access/request', '/subscribe'];
const viewports = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/** Every element a keyboard user should reach: visible, enabled, not taken out of the tab order. */
function focusTargets(): string[] {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const out: string[] = [];
  document.querySelectorAll<HTMLElement>(selector).forEach((el, i) => {
    const hiddenInClosedDetails = el.closest('details:not([open])') && el.tagName !== 'SUMMARY';
    if (hiddenInClosedDetails || !el.checkVisibility({ checkVisibilityCSS: true }) || el.closest('[inert],[aria-hidden="true"]')) return;
    el.dataset.kbd = String(i);
    out.push(String(i));
  });
  return out;
}

/** Presses Tab through the page, the page itself noting what took focus (one round trip per key). */
async function tabWalk(h: Harness, expected: number): Promise<Set<string>> {
  await h.page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    const seen: string[] = [];
    (window as unknown as { kbdSeen: string[] }).kbdSeen = seen;
    document.addEventListener('focusin', (e) => {
      const id = (e.target as HTMLElement | null)?.dataset?.kbd;
      if (id) seen.push(id);
    });
  });
  for (let i = 0; i < expected + 5; i++) await h.page.keyboard.press('Tab');
  return new Set(await h.page.evaluate(() => (window as unknown as { kbdSeen: string[] }).kbdSeen));
}

describe.each(viewports)('public pages at $name size ($width x $height)', (viewport) => {
  it.each(pages)('%s: no sideways scrolling, no WCAG 2.2 A/AA violations, every control reachable by keyboard', async (url) => {
    await h.page.setViewportSize({ width: viewport.width, height: viewport.height });
    const response = await h.page.goto(h.baseUrl + url);
    expect(response?.status()).toBe(200);
    const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${url} is ${overflow}px wider than the window`).toBeLessThanOrEqual(0);
    const violations = await axeViolations(h.page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    const targets = await h.page.evaluate(focusTargets);
    expect(targets.length).toBeGreaterThan(0);
    const reached = await tabWalk(h, targets.length);
    const missed = await h.page.evaluate((ids) => ids.map((id) => document.querySelector(`[data-kbd="${id}"]`)?.outerHTML.slice(0, 120)), targets.filter((id) => !reached.has(id)));
    expect(missed, `${url}: not reachable with Tab`).toEqual([]);
    await h.page.screenshot({ path: path.join(screenshotsDir, `public-${url === '/' ? 'home' : url.slice(1).replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}-${viewport.name}.png`), fullPage: true });
  });
});

describe('what a visitor sees', () => {
  it('a search with no results says so and offers to ask or to request a document', async () => {
    await h.page.setViewportSize({ width: 1366, height: 900 });
    await h.page.goto(`${h.baseUrl}/search?q=xyzzy`);
    const main = h.page.locator('main');
    await expect.poll(() => main.innerText()).toMatch(/No results for “xyzzy”/);
    expect(await main.locator('a[href^="/ask"]').count()).toBeGreaterThan(0);
    expect(await main.locator('a[href="/access/request"]').count()).toBeGreaterThan(0);
    expect(await main.locator('ol.results li').count()).toBe(0);
  });

  it('the comparison view puts every service side by side, and "only differences" narrows it', async () => {
    await h.page.goto(`${h.baseUrl}/responsibility/compare`);
    const headers = await h.page.locator('table.compare').first().locator('thead th').allInnerTexts();
    expect(headers.length).toBeGreaterThanOrEqual(4);
    const all = await h.page.locator('table.compare tbody tr').count();
    await h.page.goto(`${h.baseUrl}/responsibility/compare?differ=1`);
    const differing = await h.page.locator('table.compare tbody tr').count();
    expect(differing).toBeGreaterThan(0);
    expect(differing).toBeLessThan(all);
  });

  it('map markers take keyboard focus and show the same details as on hover', async () => {
    await h.page.goto(`${h.baseUrl}/data-locations`);
    const markers = h.page.locator('svg.world-map a.marker');
    expect(await markers.count()).toBeGreaterThan(0);
    await markers.first().focus();
    expect(await markers.first().evaluate((el) => document.activeElement === el)).toBe(true);
    const [label, title] = await markers.first().evaluate((el) => [el.getAttribute('aria-label') ?? '', el.querySelector('title')?.textContent ?? '']);
    expect(label.length).toBeGreaterThan(3);
    expect(title).toBe(label);
  });
});
