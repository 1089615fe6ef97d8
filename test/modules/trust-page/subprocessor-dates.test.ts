import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { copyContent } from '../../helpers/content-fixture.js';

// The subprocessor list follows its dates: one announced to start in 20 days is not current yet,
// one announced to leave in 10 days still is (the minimal fixture, today 2026-11-28).
let t: TestApp;
let content: ReturnType<typeof copyContent>;
beforeAll(async () => {
  content = copyContent();
  content.edit('disclosures/subprocessors.yaml', (s) => `${s}  - { id: mailer, name: Mailer Ltd, purpose: Email, dataCategories: [customer-content], locations: [DE], started: +20d }\n  - { id: pager, name: Pager Inc, purpose: Paging, dataCategories: [customer-content], locations: [DE], started: -300d, ended: +10d }\n`);
  content.edit('disclosures/changes.yaml', (s) => `${s}  - { id: chg-mailer, published: -10d, effective: +20d, kind: subprocessor, title: Mailer Ltd sends our email, summary: Mailer Ltd replaces the in-house mail relay., refs: [mailer] }\n  - { id: chg-pager, published: -20d, effective: +10d, kind: subprocessor, title: Pager Inc leaves, summary: Paging moves in-house., refs: [pager] }\n`);
  t = await createTestApp({ contentDir: content.dir });
});
afterAll(async () => {
  await t?.close();
  content?.remove();
});

describe('subprocessors by their dates', () => {
  it('lists only those current today, and announces the one still to start', async () => {
    const api = await request(t.app.server).get('/api/v1/subprocessors').expect(200);
    expect(api.body.subprocessors.map((s: { id: string }) => s.id)).toEqual(['colo', 'pager']);
    const page = (await request(t.app.server).get('/subprocessors').expect(200)).text;
    expect(page).not.toContain('<tr id="mailer">');
    expect(page).toContain('<tr id="pager">');
    expect(page).toMatch(/<li><strong>Mailer Ltd sends our email<\/strong> — effective/);
  });

  it('answers "Do you use subprocessors?" with the current ones only', async () => {
    const page = (await request(t.app.server).get(`/ask?q=${encodeURIComponent('Do you use subprocessors?')}`).expect(200)).text;
    expect(page).toContain('2 subprocessors: Colo SE');
    expect(page).toContain('Pager Inc');
    expect(page).not.toContain('Mailer Ltd (');
  });
});
