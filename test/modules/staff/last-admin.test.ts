import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDisabled, setRole } from '../../../server/modules/staff/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn } from '../../helpers/staff.js';

// Issue 15: nothing stopped the last admin from being disabled or demoted, leaving nobody able to
// manage users or settings. The CLI path is in test/cli/staff.test.ts.

let t: TestApp;
const system = { actor: 'test', actorKind: 'system' as const };
beforeAll(async () => {
  t = await createTestApp({ contentDir: null });
});
afterAll(async () => t.close());

async function adminCount(): Promise<number> {
  const rows = await t.database.db.selectFrom('staff_users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
  return rows.length;
}

describe('the last enabled admin', () => {
  it('cannot be demoted or disabled through the admin form (409 with a message); with a second admin both work', async () => {
    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const { agent, csrf } = await signIn(t.app, admin.email);
    expect(await adminCount()).toBe(1);

    const demote = await agent.post(`/admin/users/${admin.id}/role`).type('form').send({ _csrf: csrf, role: 'editor' }).expect(409);
    expect(demote.text).toContain('is the last enabled admin');
    const disable = await agent.post(`/admin/users/${admin.id}/disable`).type('form').send({ _csrf: csrf }).expect(409);
    expect(disable.text).toContain('is the last enabled admin');
    expect(await adminCount()).toBe(1);

    const second = await makeStaff(t.database.db, t.clock, 'admin');
    await agent.post(`/admin/users/${second.id}/disable`).type('form').send({ _csrf: csrf }).expect(303);
    // A disabled admin does not count: the signed-in one is still the last enabled.
    await agent.post(`/admin/users/${admin.id}/role`).type('form').send({ _csrf: csrf, role: 'viewer' }).expect(409);
    await agent.post(`/admin/users/${second.id}/enable`).type('form').send({ _csrf: csrf }).expect(303);
    await agent.post(`/admin/users/${admin.id}/role`).type('form').send({ _csrf: csrf, role: 'editor' }).expect(303);
    expect(await adminCount()).toBe(1);
    await expect(setDisabled(t.database.db, t.clock, second.email, true, system)).rejects.toMatchObject({ statusCode: 409 });
    await expect(setRole(t.database.db, t.clock, second.email, 'viewer', system)).rejects.toMatchObject({ statusCode: 409 });
    await setRole(t.database.db, t.clock, admin.email, 'admin', system);
    await setRole(t.database.db, t.clock, second.email, 'viewer', system);
    expect(await adminCount()).toBe(1);
  });
});
