/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshot, startHarness, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const VIEWPORTS = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
const BUNDLE_DOCS = ['ev-report-soc2-type2', 'ev-report-pentest', 'ev-policy-bcdr'];

const checked = (id: string) => h.page.isChecked(`#doc-${id}`);

describe('choosing documents in the request form', () => {
  it.each(VIEWPORTS)('$name: the documents page and the request form pass axe', async ({ name, width, height }) => {
    await h.page.setViewportSize({ width, height });
    for (const url of ['/documents', '/access/request']) {
      await h.page.goto(h.baseUrl + url);
      const violations = await axeViolations(h.page);
      expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    }
    if (name === 'desktop') await screenshot(h.page, 'access-request-bundles');
  });

  it.each(VIEWPORTS)('$name: a bundle ticks its documents, "All documents" ticks every one, and the request holds them', async ({ width, height }) => {
    await h.page.setViewportSize({ width, height });
    await h.page.goto(`${h.baseUrl}/access/request`);
    await h.page.check('#bundle-vendor-review');
    for (const id of BUNDLE_DOCS) expect(await checked(id), id).toBe(true);
    expect(await h.page.textContent('#doc-count')).toBe('3 documents selected');
    // Unticking one of its documents half-ticks the bundle, so it no longer asks for that one.
    await h.page.uncheck('#doc-ev-policy-bcdr');
    expect(await h.page.$eval('#bundle-vendor-review', (el) => [(el as HTMLInputElement).checked, (el as HTMLInputElement).indeterminate])).toEqual([false, true]);
    await h.page.check('#bundle-all');
    const boxes = h.page.locator('input[name="documents"]');
    const total = await boxes.count();
    expect(total).toBeGreaterThan(3);
    for (let i = 0; i < total; i++) expect(await boxes.nth(i).isChecked()).toBe(true);
    expect(await h.page.isChecked('#bundle-vendor-review')).toBe(true);
    await h.page.uncheck('#bundle-all');
    expect(await h.page.locator('input[name="documents"]:checked').count()).toBe(0);

    await h.page.check('#bundle-vendor-review');
    await h.page.fill('#req-name', 'Kim Reviewer');
    await h.page.fill('#req-email', `kim-${width}@bigbank.example`);
    await h.page.fill('#req-company', 'Big Bank AG');
    await h.page.fill('#req-reason', 'Vendor review before a migration.');
    await Promise.all([h.page.waitForResponse((r) => r.url().endsWith('/access/request') && r.request().method() === 'POST'), h.page.click('button:has-text("Send request")')]);
    await h.page.waitForSelector('main :text("Thank you")');
    const mail = await h.waitForMail((m) => m.includes(`To: kim-${width}@bigbank.example`) && m.includes('thank you for your request'));
    // The bundle's three documents, in the register's order.
    expect(mail).toContain('thank you for your request for: Business Continuity and Disaster Recovery Plan, SOC 2 Type II Report, Annual Penetration Test Executive Summary.');
  });
});
