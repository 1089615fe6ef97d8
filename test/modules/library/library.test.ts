import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncContent } from '../../../server/modules/content/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { engineContent } from '../../helpers/engine-content.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';

let t: TestApp;
let editor: SignedIn;
let viewer: SignedIn;
const content = engineContent();
// Two answers to nearly the same question that disagree: the library page must warn (the exact
// same wording would already fail the content check).
writeFileSync(
  path.join(content.dir, 'library/conflict.yaml'),
  `answers:
  - id: mfa-admins-old
    question: Is multi-factor authentication enforced for all administrators?
    phrasings: [Do all admins use two-factor authentication?, MFA for every privileged user (Y/N), Are administrators required to use MFA?]
    answer: "No"
    explanation: Older wording that says no.
    controls: [iso27002:8.5]
    access: internal
    owner: Security Engineering
    reviewed: -400d
`,
);

beforeAll(async () => {
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  viewer = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'viewer')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

describe('answer library', () => {
  it('lists answers for editors over the API, not for viewers', async () => {
    const res = await editor.agent.get('/api/v1/library').expect(200);
    expect(res.body.answers.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining(['mfa-admins', 'backups', 'mfa-admins-old']));
    await viewer.agent.get('/api/v1/library').expect(403);
  });

  it('warns where two answers cover the same question with different short answers', async () => {
    const page = await viewer.agent.get('/admin/library').expect(200);
    expect(page.text).toContain('Answers that disagree on the same question');
    expect(page.text).toMatch(/mfa-admins(-old)?<\/a> \((Yes|No)\) and <a href="\/admin\/library\/mfa-admins(-old)?">/);
  });

  it('computes the overlaps once per knowledge version and stores them; a page view only reads them', async () => {
    await viewer.agent.get('/admin/library').expect(200);
    const stored = await t.database.db.selectFrom('library_overlaps').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0].overlaps.map((o) => [o.a, o.b].sort().join('|'))).toContain('mfa-admins|mfa-admins-old');
    // A second view reads the stored row rather than computing again: emptied, the page shows no warning.
    await t.database.db.updateTable('library_overlaps').set({ overlaps: '[]' }).execute();
    expect((await viewer.agent.get('/admin/library').expect(200)).text).not.toContain('Answers that disagree on the same question');
    await t.database.db.deleteFrom('library_overlaps').execute();
    expect((await viewer.agent.get('/admin/library').expect(200)).text).toContain('Answers that disagree on the same question');
  });

  it('edits an answer with history on the audit log; the next content sync reports the conflict instead of overwriting', async () => {
    await editor.agent
      .post('/admin/library/backups')
      .type('form')
      .send({ _csrf: editor.csrf, question: 'Do you back up customer data?', phrasings: 'Backups?\nBackup frequency?', answer: 'Yes', explanation: 'Hourly snapshots, kept 35 days.', controls: 'iso27002:8.13', evidence: 'ev-backup-test', access: 'public' })
      .expect(303);
    const page = await viewer.agent.get('/admin/library/backups').expect(200);
    expect(page.text).toContain('Hourly snapshots, kept 35 days.');
    expect(page.text).toContain('library.answer_edited');
    const bad = await editor.agent.post('/admin/library/backups').type('form').send({ _csrf: editor.csrf, question: 'Q', phrasings: '', answer: 'Yes', explanation: 'x', controls: 'iso27002:99.9', evidence: '', access: 'public' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('unknown control(s) iso27002:99.9');

    const file = path.join(content.dir, 'library/data.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Daily backups, kept 35 days.', 'Daily backups, kept 30 days.'));
    const report = await syncContent(t.database.db, content.dir, t.clock);
    expect(report.conflicts.some((c) => c.startsWith('library_answers backups: edited by staff'))).toBe(true);
    expect((await viewer.agent.get('/admin/library/backups')).text).toContain('Hourly snapshots, kept 35 days.');
  });
});
