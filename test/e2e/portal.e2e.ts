/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshot, startHarness, type Harness } from './harness.js';
// Each public page at both sizes (axe, keyboard, no sideways scrolling): public-pages.e2e.ts.
import { buildRealisticWorkbook } from '../helpers/workbooks.js';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());


describe('the trust page in a real browser', () => {
  it('filters data locations with the form, and the filter is in the address', async () => {
    await h.page.goto(`${h.baseUrl}/data-locations`);
    const options = await h.page.locator('#f-service option').allInnerTexts();
    await h.page.selectOption('#f-service', { index: options.length - 1 });
    await h.page.click('form.filters button[type=submit]');
    expect(h.page.url()).toMatch(/\?service=[a-z-]+/);
    expect(await h.page.locator('svg.world-map').count()).toBe(1);
    expect(await h.page.locator('table tbody tr').count()).toBeGreaterThan(0);
  });

  it('searches by acronym from the header box', async () => {
    await h.page.goto(h.baseUrl);
    await h.page.fill('#site-q', 'MFA');
    await h.page.press('#site-q', 'Enter');
    await h.page.waitForURL(/\/search\?q=MFA/);
    const text = await h.page.locator('main').innerText();
    expect(text.toLowerCase()).toMatch(/multi-factor|two-factor|mfa/);
    expect(await h.page.locator('ol.results li').count()).toBeGreaterThan(0);
  });

  it('asks a question and gets an answer with sources', async () => {
    await h.page.goto(`${h.baseUrl}/ask`);
    await h.page.fill('#ask-q', 'Is data encrypted in transit with TLS?');
    await h.page.click('main form button[type=submit]');
    await h.page.waitForURL(/\/ask\?q=/);
    expect(await h.page.locator('.answer').innerText()).toMatch(/TLS/);
  });
});

describe('restricted documents, from request to watermarked download', () => {
  let link = '';

  it('a keyboard-only visitor can fill in and send the request form', async () => {
    await h.page.goto(`${h.baseUrl}/documents`);
    await h.page.locator('form[action="/access/request"] input[type=checkbox]').first().check();
    await h.page.click('form[action="/access/request"] button[type=submit]');
    await h.page.waitForURL(/\/access\/request\?documents=/);
    await h.page.focus('#req-name');
    await h.page.keyboard.type('Kim Reviewer');
    await h.page.keyboard.press('Tab');
    await h.page.keyboard.type('kim@bigbank.example');
    await h.page.keyboard.press('Tab');
    await h.page.keyboard.type('Big Bank AG');
    await h.page.keyboard.press('Tab');
    await h.page.keyboard.type('Vendor due diligence for a cloud migration.');
    // the honeypot is skipped by Tab (tabindex=-1), so the next stop is the submit button
    await h.page.keyboard.press('Tab');
    expect(await h.page.evaluate(() => (document.activeElement as HTMLElement).textContent)).toBe('Send request');
    // Enter submits; wait for the answer page itself, not just "loaded" (the form page already is).
    await Promise.all([h.page.waitForResponse((r) => r.url().endsWith('/access/request') && r.request().method() === 'POST'), h.page.keyboard.press('Enter')]);
    await h.page.waitForSelector('main h1:has-text("Thank you"), main :text("Thank you")');
    expect(await h.page.locator('main').innerText()).toContain('Thank you');
  });

  it('staff sign in through the form and approve', async () => {
    await h.page.goto(`${h.baseUrl}/admin/access`);
    await h.page.waitForURL(/\/admin\/login/);
    expect(await axeViolations(h.page)).toEqual([]);
    await h.page.fill('input[name=email]', h.admin.email);
    await h.page.fill('input[name=password]', h.admin.password);
    await h.page.click('main button[type=submit]');
    await h.page.waitForURL(/\/admin\/access$/);
    expect(await axeViolations(h.page)).toEqual([]);
    await screenshot(h.page, 'admin-access');
    await h.page.click('text=Kim Reviewer');
    await h.page.click('form[action$="/approve"] button[type=submit]');
    await h.page.waitForLoadState();
    expect(await h.page.locator('main').innerText()).toMatch(/approved/);
    for (let i = 0; i < 20 && !link; i++) {
      const mail = h.outbox().find((m) => m.includes('To: kim@bigbank.example') && m.includes('/access/'));
      link = mail ? /(http:\/\/127\.0\.0\.1:\d+\/access\/[A-Za-z0-9_-]{43})/.exec(mail)![1] : '';
      if (!link) await new Promise((r) => setTimeout(r, 250));
    }
    expect(link).not.toBe('');
  });

  it('the requester accepts the NDA and downloads a watermarked PDF', async () => {
    const visitor = await h.context.browser()?.newContext() ?? h.context;
    const page = await h.context.newPage();
    await page.goto(link);
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('#nda-name', 'Kim Reviewer');
    await page.check('#nda-accept');
    await page.click('main button[type=submit]');
    await page.waitForLoadState();
    expect(await page.locator('h1').innerText()).toBe('Your documents');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('ul.documents a').first().click()]);
    const file = path.join(os.tmpdir(), `e2e-${Date.now()}.pdf`);
    await download.saveAs(file);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
    void visitor;
  });
});

describe('questionnaires in the admin workspace', () => {
  it('uploads a workbook, approves confident answers, and exports the workbook', async () => {
    const file = path.join(os.tmpdir(), `vendor-${Date.now()}.xlsx`);
    writeFileSync(file, await buildRealisticWorkbook());
    await h.page.goto(`${h.baseUrl}/admin/questionnaires`);
    expect(await axeViolations(h.page)).toEqual([]);
    await h.page.setInputFiles('input[type=file]', file);
    await h.page.fill('input[name=name]', 'Browser test questionnaire');
    await h.page.click('form[enctype="multipart/form-data"] button[type=submit]');
    await h.page.waitForURL(/\/admin\/questionnaires\/[0-9a-f-]{36}/);
    // Answering runs as a job: the page says how far it is and refreshes itself until it is done.
    for (let i = 0; i < 120 && (await h.page.content()).includes('Answering…'); i++) {
      await h.page.waitForTimeout(500);
      await h.page.reload();
    }
    expect(await axeViolations(h.page)).toEqual([]);
    await screenshot(h.page, 'admin-questionnaire');
    await h.page.click('text=Approve all confident answers');
    await h.page.waitForLoadState();
    const [download] = await Promise.all([h.page.waitForEvent('download'), h.page.click('text=Export workbook')]);
    expect(download.suggestedFilename()).toMatch(/-answered\.xlsx$/);
  });

  it('reviews in the grid without reloading: approve, keyboard reject, bulk approve with confirmation and undo; phone layout', async () => {
    const file = path.join(os.tmpdir(), `grid-${Date.now()}.xlsx`);
    writeFileSync(file, await buildRealisticWorkbook());
    await h.page.goto(`${h.baseUrl}/admin/questionnaires`);
    await h.page.setInputFiles('input[type=file]', file);
    await h.page.fill('input[name=name]', 'Grid review');
    await h.page.click('form[enctype="multipart/form-data"] button[type=submit]');
    await h.page.waitForURL(/\/admin\/questionnaires\/[0-9a-f-]{36}/);
    for (let i = 0; i < 120 && (await h.page.content()).includes('Answering…'); i++) {
      await h.page.waitForTimeout(500);
      await h.page.reload();
    }
    // A marker on the window survives only as long as the page is not loaded again.
    await h.page.evaluate(() => ((window as unknown as { reviewMarker: number }).reviewMarker = 1));
    const stillSamePage = () => h.page.evaluate(() => (window as unknown as { reviewMarker?: number }).reviewMarker === 1);

    const approvable = h.page.locator('tr[data-item]:has(button[data-key="a"]:not([disabled]))');
    const first = approvable.first();
    const firstId = await first.getAttribute('data-item');
    await first.locator('button[data-key="a"]').click();
    await expect.poll(() => h.page.locator(`#item-${firstId} [data-cell="state"]`).textContent()).toContain('approved');
    await expect.poll(() => h.page.locator('#review-line').textContent()).toContain('1 of 6 reviewed');

    // Keyboard, only while the grid has focus: j moves to a row, r opens its rejection.
    await h.page.focus('#review-grid');
    await h.page.keyboard.press('j');
    await h.page.keyboard.press('j');
    const focused = await h.page.evaluate(() => document.activeElement?.getAttribute('data-item'));
    expect(focused).toBeTruthy();
    await h.page.keyboard.press('r');
    await h.page.keyboard.type('Not what we offer');
    await h.page.keyboard.press('Enter');
    await expect.poll(() => h.page.locator(`#item-${focused} [data-cell="state"]`).textContent()).toContain('rejected');
    expect(await stillSamePage()).toBe(true);

    // Bulk approve asks first, then offers undo.
    const pending = h.page.locator('tr.state-pending:has(button[data-key="a"]:not([disabled]))');
    const ticked = Math.min(2, await pending.count());
    expect(ticked).toBeGreaterThan(0);
    for (let i = 0; i < ticked; i++) await pending.nth(i).locator('input[name="items"]').check();
    let asked = '';
    h.page.once('dialog', async (dialog) => {
      asked = dialog.message();
      await dialog.accept();
    });
    await h.page.click('#bulk-form button[value="approve"]');
    await expect.poll(() => h.page.locator('#grid-notice').textContent()).toContain(`Approved ${ticked}`);
    expect(asked).toMatch(new RegExp(`^Approve ${ticked} answers?\\? Lowest confidence: `));
    expect(await stillSamePage()).toBe(true);
    await screenshot(h.page, 'admin-questionnaire-grid');
    await h.page.click('#grid-notice button:has-text("Undo")');
    await h.page.waitForLoadState();
    await expect.poll(() => h.page.locator('#review-line').textContent()).toContain('2 of 6 reviewed');

    // The phone: rows become stacked cards, and the page still passes axe.
    await h.page.setViewportSize({ width: 390, height: 844 });
    await h.page.reload();
    const violations = await axeViolations(h.page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    const display = await h.page.locator('tr[data-item]').first().evaluate((row) => getComputedStyle(row).display);
    expect(display).toBe('block');
    await screenshot(h.page, 'admin-questionnaire-phone');
    await h.page.setViewportSize({ width: 1280, height: 900 });
  });

  it('main admin pages pass axe', async () => {
    for (const url of ['/admin', '/admin/library', '/admin/users', '/admin/audit', '/admin/account', '/admin/soa', '/admin/gaps', '/admin/evidence', '/admin/evidence/ev-policy-infosec', '/admin/responsibility?service=managed-postgres']) {
      const response = await h.page.goto(h.baseUrl + url);
      expect(response?.status(), url).toBe(200);
      const violations = await axeViolations(h.page);
      expect(violations, `${url}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
      if (['/admin', '/admin/soa', '/admin/gaps'].includes(url)) await screenshot(h.page, `admin${url.replace(/\W+/g, '-').replace(/-$/, '')}`);
    }
  });
});
