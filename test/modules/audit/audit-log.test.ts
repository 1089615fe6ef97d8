import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../../server/modules/audit/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn } from '../../helpers/staff.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: null, env: { LOGIN_RATE_LIMIT: '1000' } });
  for (let i = 0; i < 5; i++) await appendAudit(t.database.db, t.clock, { actor: 'tester', actorKind: 'system', action: 'test.entry', subject: `s${i}`, details: { i } });
});
afterAll(async () => t.close());

describe('audit log', () => {
  it('chains each entry to the previous one and verifies', async () => {
    const report = await verifyAuditChain(t.database.db);
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['update', sql`update audit_log set actor = 'mallory'`],
    ['delete', sql`delete from audit_log`],
    ['truncate', sql`truncate audit_log`],
  ])('the database itself refuses %s', async (_name, statement) => {
    await expect(statement.execute(t.database.db)).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('detects an entry changed behind the triggers', async () => {
    const second = await appendAudit(t.database.db, t.clock, { actor: 'tester', actorKind: 'system', action: 'test.tamper-target' });
    await sql`alter table audit_log disable trigger audit_log_no_update_delete`.execute(t.database.db);
    await sql`update audit_log set actor = 'mallory' where id = ${second}::bigint`.execute(t.database.db);
    await sql`alter table audit_log enable trigger audit_log_no_update_delete`.execute(t.database.db);
    const report = await verifyAuditChain(t.database.db);
    expect(report).toMatchObject({ ok: false, firstBrokenId: second });
  });

  it('admins list and filter it as JSON and CSV; others may not', async () => {
    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    const { agent } = await signIn(t.app, admin.email);
    const json = await agent.get('/api/v1/audit?action=test.entry').expect(200);
    expect(json.body.entries.map((e: { subject: string }) => e.subject)).toEqual(['s4', 's3', 's2', 's1', 's0']);
    const logins = await agent.get(`/api/v1/audit?action=staff.login&actor=${encodeURIComponent(admin.email)}`).expect(200);
    expect(logins.body.entries).toHaveLength(1);
    const csv = await agent.get('/admin/audit.csv?action=test.entry').expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('id,at,actor,actor_kind,action,subject,details,ip,hash');
    expect(csv.text).toContain('"{""i"":4}"');
    const page = await agent.get('/admin/audit?action=test.').expect(200);
    expect(page.text).toContain('test.entry');
    const v = await signIn(t.app, viewer.email);
    await v.agent.get('/api/v1/audit').expect(403);
  });

  it('neutralises formulas in the CSV export', async () => {
    await appendAudit(t.database.db, t.clock, { actor: '=HYPERLINK("http://evil")', actorKind: 'public', action: 'test.formula' });
    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const { agent } = await signIn(t.app, admin.email);
    const csv = await agent.get('/admin/audit.csv?action=test.formula').expect(200);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});
