/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, startHarness, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const viewports = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
const pages = ['/responsibility', '/responsibility?service=insights', '/responsibility/compare', '/'];

describe('the stack pictures and the badge row in a real browser', () => {
  for (const viewport of viewports) {
    it.each(pages)(`%s at ${viewport.width}x${viewport.height}: no sideways scrolling, no WCAG 2.2 A/AA violations`, async (url) => {
      await h.page.setViewportSize({ width: viewport.width, height: viewport.height });
      const response = await h.page.goto(h.baseUrl + url);
      expect(response?.status()).toBe(200);
      const widths = await h.page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
      expect(widths.page, `${url} is ${widths.page}px wide in a ${widths.window}px window`).toBeLessThanOrEqual(widths.window);
      const violations = await axeViolations(h.page);
      expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    });
  }

  it('on a phone the stack fills the width, and each layer is tall enough to read', async () => {
    await h.page.setViewportSize({ width: 390, height: 844 });
    await h.page.goto(`${h.baseUrl}/responsibility?service=compute`);
    const svg = await h.page.locator('svg.layer-stack').boundingBox();
    expect(svg!.width).toBeGreaterThan(300);
    expect(svg!.x + svg!.width).toBeLessThanOrEqual(390);
    const box = await h.page.locator('svg.layer-stack g.layer rect.fill').first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(40);
    // The party is written in each box, not only shown by its colour.
    expect(await h.page.locator('svg.layer-stack text.who').allTextContents()).toContain('Customer');
  });
});
