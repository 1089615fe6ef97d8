/// <reference lib="dom" />
import ExcelJS from 'exceljs';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshotsDir, startHarness, type Harness } from './harness.js';
import { buildReviewWorkbook, QUESTION_COUNT, SECTIONS } from './review-workbook.js';

// The review workspace end to end, once per viewport, each on its own upload of a 300-question
// workbook: upload → progress → filter → keyboard review → bulk approve (confirm, undo) → edit as a
// new library answer → pre-export check → export.

let h: Harness;
let workbook = '';

beforeAll(async () => {
  h = await startHarness();
  workbook = path.join(os.tmpdir(), `review-300-${Date.now()}.xlsx`);
  writeFileSync(workbook, await buildReviewWorkbook());
  await h.page.goto(`${h.baseUrl}/admin/login`);
  await h.page.fill('input[name=email]', h.admin.email);
  await h.page.fill('input[name=password]', h.admin.password);
  await h.page.click('main button[type=submit]');
  await h.page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
});
afterAll(async () => h?.stop());

const POLL = { timeout: 20_000, interval: 100 };

interface ApiQuestion {
  itemId: number;
  id: string;
  row: number;
  question: string;
  status: string;
  kind: string;
  section: string | null;
  answer: string | null;
  text: string | null;
}

async function getJson<T>(page: Page, url: string): Promise<T> {
  const res = await page.request.get(h.baseUrl + url);
  expect(res.status(), url).toBe(200);
  return (await res.json()) as T;
}

const reviewLine = (page: Page) => page.locator('#review-line').textContent();
const stateOf = (page: Page, itemId: string) => page.locator(`#item-${itemId} [data-cell="state"]`).textContent();

const viewports = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe.each(viewports)('reviewing a 300-question workbook at $width x $height ($name)', (viewport) => {
  let page: Page;
  let id = '';
  let questions: ApiQuestion[] = [];
  const approvedIds: string[] = [];
  let rejectedId = '';
  let editedId = '';
  const editedText = `Reviewed on the ${viewport.name}: described in the security operations handbook, shared under NDA.`;

  beforeAll(async () => {
    page = h.page;
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
  });

  it('uploads the workbook, shows progress, then the counts in the header', async () => {
    await page.goto(`${h.baseUrl}/admin/questionnaires`);
    await page.setInputFiles('input[type=file]', workbook);
    await page.fill('input[name=name]', `Review on the ${viewport.name}`);
    await page.click('form[enctype="multipart/form-data"] button[type=submit]');
    await page.waitForURL(/\/admin\/questionnaires\/[0-9a-f-]{36}/);
    id = /questionnaires\/([0-9a-f-]{36})/.exec(page.url())![1];
    // While the job runs the page says how far it is and refreshes itself (no script needed).
    const first = await page.locator('main').innerText();
    if (first.includes('Answering…')) expect(first).toMatch(/Answering… \d+ of \d+ questions/);
    await page.locator('#review-grid').waitFor({ timeout: 150_000 });

    const result = await getJson<{ summary: { total: number; answered: number; review: number; unanswered: number; notAQuestion: number }; questions: ApiQuestion[] }>(page, `/api/v1/questionnaires/${id}`);
    questions = result.questions;
    expect(result.summary.total).toBe(QUESTION_COUNT);
    expect(result.summary.answered + result.summary.review + result.summary.unanswered + result.summary.notAQuestion).toBe(QUESTION_COUNT);
    expect(await reviewLine(page)).toBe(`0 of ${QUESTION_COUNT} reviewed`);
    const header = await page.locator('#grid-header').innerText();
    expect(header).toContain(`engine: ${result.summary.answered} answered, ${result.summary.review} to check, ${result.summary.unanswered} unanswered`);
    expect(await page.locator('main').innerText()).toContain(`${QUESTION_COUNT} questions shown`);
    // 100 rows a page: the first page, with a way to the others.
    expect(await page.locator('tr[data-item]').count()).toBe(100);
  }, 200_000);

  it('filters by section and engine status, and the filter is in the address', async () => {
    const section = SECTIONS[2];
    await page.selectOption('select[name=section]', section);
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/section=/);
    const inSection = await page.locator('tr[data-item]').count();
    // Every topic is asked six ways, and each section has five topics.
    expect(inSection).toBe(30);
    expect(await page.locator('main').innerText()).toContain('30 questions shown');
    for (const text of await page.locator('tr[data-item] td[data-label="Id"]').allInnerTexts()) expect(text).toContain(section);

    await page.selectOption('select[name=status]', 'answered');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/status=answered/);
    const byApi = questions.filter((q) => q.status === 'answered' && q.section === section).length;
    expect(await page.locator('tr[data-item]').count()).toBe(byApi);
  });

  it('reviews 20 answers one by one with the keyboard and the in-place buttons in one page load', async () => {
    let loads = 0;
    const count = (frame: { parentFrame(): unknown }) => {
      if (!frame.parentFrame()) loads++;
    };
    page.on('framenavigated', count);
    await page.goto(`${h.baseUrl}/admin/questionnaires/${id}?review=pending`);
    const approvable = page.locator('tr[data-item]:has(button[data-key="a"]:not([disabled]))');
    expect(await approvable.count()).toBeGreaterThanOrEqual(26);
    const targets = await approvable.evaluateAll((rows) => rows.slice(0, 20).map((r) => r.getAttribute('data-item')!));

    const active = () => page.evaluate(() => document.activeElement?.closest('tr[data-item]')?.getAttribute('data-item') ?? null);
    for (const [i, itemId] of targets.entries()) {
      if (i % 2 === 0) {
        // From the grid (or the row reviewed last), j moves down row by row to the next one; a approves it.
        if (i === 0) await page.focus('#review-grid');
        else await page.locator(`#item-${targets[i - 1]}`).focus();
        for (let step = 0; step < 100 && (await active()) !== itemId; step++) await page.keyboard.press('j');
        expect(await active()).toBe(itemId);
        await page.keyboard.press('a');
      } else {
        await page.locator(`#item-${itemId} button[data-key="a"]`).click();
      }
      await expect.poll(() => stateOf(page, itemId), POLL).toContain('approved');
      await expect.poll(() => reviewLine(page), POLL).toBe(`${i + 1} of ${QUESTION_COUNT} reviewed`);
      approvedIds.push(itemId);
    }
    page.off('framenavigated', count);
    console.log(`[${viewport.name}] page loads for reviewing 20 answers one by one: ${loads}`);
    expect(loads).toBe(1);

    // ? shows the shortcuts; r opens the rejection, typed and sent from the keyboard.
    await page.focus('#review-grid');
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('#kbd-help').isVisible(), POLL).toBe(true);
    await page.keyboard.press('?');
    const pendingRows = page.locator('tr.state-pending:has(button[data-key="a"]:not([disabled]))');
    rejectedId = (await pendingRows.first().getAttribute('data-item'))!;
    await page.locator(`#item-${rejectedId}`).focus();
    await page.keyboard.press('r');
    await page.keyboard.type('We do not offer this to this customer');
    await page.keyboard.press('Enter');
    await expect.poll(() => stateOf(page, rejectedId), POLL).toContain('rejected');
    await expect.poll(() => reviewLine(page), POLL).toBe(`21 of ${QUESTION_COUNT} reviewed · 1 rejected`);
  });

  it('bulk approves after a confirmation, and undo puts the rows back to pending', async () => {
    const pendingRows = page.locator('tr.state-pending:has(button[data-key="a"]:not([disabled]))');
    const ticked = await pendingRows.evaluateAll((rows) => rows.slice(0, 5).map((r) => r.getAttribute('data-item')!));
    expect(ticked).toHaveLength(5);
    for (const itemId of ticked) await page.locator(`#item-${itemId} input[name="items"]`).check();
    let asked = '';
    page.once('dialog', async (dialog) => {
      asked = dialog.message();
      await dialog.accept();
    });
    await page.click('#bulk-form button[value="approve"]');
    await expect.poll(() => page.locator('#grid-notice').textContent(), POLL).toContain('Approved 5');
    expect(asked).toMatch(/^Approve 5 answers\? Lowest confidence: /);
    for (const itemId of ticked) expect(await stateOf(page, itemId)).toContain('approved');
    expect(await reviewLine(page)).toBe(`26 of ${QUESTION_COUNT} reviewed · 1 rejected`);

    await page.click('#grid-notice button:has-text("Undo")');
    // Undo reloads the list, so every row shows its state afresh.
    await expect.poll(() => reviewLine(page), POLL).toBe(`21 of ${QUESTION_COUNT} reviewed · 1 rejected`);
    await page.waitForLoadState('load');
    for (const itemId of ticked) await expect.poll(() => stateOf(page, itemId), POLL).toBe('pending');
  });

  it('edits a row into a new library answer', async () => {
    const candidates = questions.filter((q) => q.status !== 'answered' && !approvedIds.includes(String(q.itemId)) && String(q.itemId) !== rejectedId);
    // Each viewport edits a different question, so the two new library answers differ.
    const target = candidates[viewport.name === 'desktop' ? 0 : 1];
    editedId = String(target.itemId);
    await page.goto(`${h.baseUrl}/admin/questionnaires/${id}?q=${encodeURIComponent(target.question)}`);
    await page.locator(`#item-${editedId}`).focus();
    await page.keyboard.press('e');
    const form = page.locator(`#item-${editedId} details[data-key="e"] form`);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.press('Control+a');
    await page.keyboard.type(editedText);
    await form.locator('select[name=answer]').selectOption('');
    await form.locator('input[name=outcome][value="new-library"]').check();
    await form.locator('select[name=newKind]').selectOption('open');
    await form.locator('input[name=newControls]').fill('iso27002:5.1');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => stateOf(page, editedId), POLL).toContain('edited');
    await expect.poll(() => reviewLine(page), POLL).toBe(`22 of ${QUESTION_COUNT} reviewed · 1 edited · 1 rejected`);

    const library = await getJson<{ answers: { question: string; explanation: string; controls: string[]; access: string }[] }>(page, '/api/v1/library');
    const created = library.answers.find((a) => a.question === target.question);
    expect(created).toMatchObject({ explanation: editedText, controls: ['iso27002:5.1'], access: 'nda' });
  });

  it('the review page passes axe and is photographed', async () => {
    // One section (30 rows of every kind and state seen so far): the same markup as the full page, checked in seconds.
    await page.goto(`${h.baseUrl}/admin/questionnaires/${id}?section=${encodeURIComponent(SECTIONS[0])}`);
    const violations = await axeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    if (viewport.name === 'phone') expect(await page.locator('tr[data-item]').first().evaluate((row) => getComputedStyle(row).display)).toBe('block');
    await page.screenshot({ path: path.join(screenshotsDir, `review-${viewport.name}.png`) });
  });

  it('the pre-export check lists what goes out, and the exported workbook carries the approved answers', async () => {
    await page.click('text=Check before export');
    await page.waitForURL(/\/export-check$/);
    const counts = await page.locator('section[aria-labelledby="counts-h"]').innerText();
    expect(counts).toMatch(/20\s+approved/);
    expect(counts).toMatch(/1\s+edited/);
    expect(counts).toMatch(/1\s+rejected/);
    expect(counts).toMatch(new RegExp(`${QUESTION_COUNT - 22}\\s+still pending`));
    const rejected = questions.find((q) => String(q.itemId) === rejectedId)!;
    const blank = await page.locator('section[aria-labelledby="blank-h"]').innerText();
    expect(blank).toContain(`${rejected.id} — ${rejected.question}`);
    expect(await page.locator('#pending-h').innerText()).toBe(`Not reviewed yet (${QUESTION_COUNT - 22})`);
    expect((await axeViolations(page)).map((v) => v.id)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click("text=Customer's workbook")]);
    expect(download.suggestedFilename()).toMatch(/-answered\.xlsx$/);
    const file = path.join(os.tmpdir(), `review-${viewport.name}-${Date.now()}.xlsx`);
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as never);
    const sheet = wb.getWorksheet('Assessment')!;
    const cell = (ref: string) => String(sheet.getCell(ref).value ?? '');

    const exported = await getJson<{ questions: { id: string; row: number; review: string; kind: string; answer: string | null; text: string | null }[] }>(page, `/api/v1/questionnaires/${id}/export?format=json`);
    const byRow = new Map(questions.map((q) => [String(q.itemId), q]));
    let checked = 0;
    for (const itemId of approvedIds) {
      const q = byRow.get(itemId)!;
      const out = exported.questions.find((e) => e.id === q.id)!;
      expect(out.review).toBe('approved');
      // A yes/no row goes out with its Yes/No; every row's explanation lands in the comments.
      if (out.answer) expect(cell(`D${q.row}`), q.id).toBe(out.answer);
      expect(cell(`E${q.row}`), q.id).toContain(out.text!.slice(0, 40));
      checked++;
    }
    expect(checked).toBe(20);
    const edited = byRow.get(editedId)!;
    expect(cell(`E${edited.row}`)).toContain(editedText);
    expect([cell(`D${rejected.row}`), cell(`E${rejected.row}`)]).toEqual(['', '']);
  });
});
