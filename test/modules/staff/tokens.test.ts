import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp, enableMfa, newTotpSecret } from '../../../server/modules/staff/mfa.js';
import { setMfaRequired, setPassword, setRole } from '../../../server/modules/staff/service.js';
import { createToken } from '../../../server/modules/staff/tokens.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, makeToken } from '../../helpers/staff.js';
import { mfaOf } from '../../helpers/staff.js';

// Issue 15: API tokens never expired, survived a password change, were exempt from the MFA
// policy and could do everything their owner could.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: null });
});
afterAll(async () => t.close());

const system = { actor: 'test', actorKind: 'system' as const };
const get = (token: string) => request(t.app.server).get('/api/v1/tokens').set('authorization', `Bearer ${token}`);
const del = (token: string, id: string) => request(t.app.server).delete(`/api/v1/tokens/${id}`).set('authorization', `Bearer ${token}`);

describe('API tokens', () => {
  it('stop working when they expire', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'editor');
    const token = await makeToken(t.database.db, t.clock, user.email, { expiresInDays: 1 });
    await get(token).expect(200);
    t.clock.advance(24 * 60 * 60 * 1000 + 1000);
    const res = await get(token).expect(401);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it('with the read scope only read', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'editor');
    const reader = await makeToken(t.database.db, t.clock, user.email, { scope: 'read' });
    const other = await createToken(t.database.db, t.clock, user.email, 'other', system);
    await get(reader).expect(200);
    const refused = await del(reader, other.id).expect(403);
    expect(refused.body.error.message).toMatch(/read-only/);
    const writer = await makeToken(t.database.db, t.clock, user.email, { scope: 'write' });
    await del(writer, other.id).expect(204);
  });

  it('never reach above the owner’s role: a viewer gets read tokens; a demoted owner’s write token reads only', async () => {
    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    await expect(createToken(t.database.db, t.clock, viewer.email, 'x', system, { scope: 'write' })).rejects.toThrow(/only have read tokens/);
    const rows = await t.database.db.selectFrom('api_tokens').select('scope').where('user_id', '=', viewer.id).execute();
    expect(rows).toEqual([]);
    await makeToken(t.database.db, t.clock, viewer.email);
    expect((await t.database.db.selectFrom('api_tokens').select('scope').where('user_id', '=', viewer.id).executeTakeFirstOrThrow()).scope).toBe('read');

    const editor = await makeStaff(t.database.db, t.clock, 'editor');
    const writer = await makeToken(t.database.db, t.clock, editor.email, { scope: 'write' });
    const other = await createToken(t.database.db, t.clock, editor.email, 'other', system);
    await setRole(t.database.db, t.clock, editor.email, 'viewer', system);
    await del(writer, other.id).expect(403);
    await get(writer).expect(200);
  });

  it('are revoked when the password changes', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'editor');
    const token = await makeToken(t.database.db, t.clock, user.email);
    await get(token).expect(200);
    await setPassword(t.database.db, t.clock, user.email, 'another long passphrase', system);
    await get(token).expect(401);
    const row = await t.database.db.selectFrom('api_tokens').select('revoked_at').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
  });

  it('follow the MFA policy: one created before MFA was required stops working until re-created', async () => {
    const withMfa = await makeStaff(t.database.db, t.clock, 'admin');
    const secret = newTotpSecret();
    await enableMfa(mfaOf(t), withMfa.id, secret, currentTotp(secret, withMfa.email, t.clock.now()), null);
    const without = await makeStaff(t.database.db, t.clock, 'editor');
    t.clock.advance(1000);
    const before = await makeToken(t.database.db, t.clock, withMfa.email);
    const noMfa = await makeToken(t.database.db, t.clock, without.email);
    t.clock.advance(1000);
    await setMfaRequired(t.database.db, t.clock, true, system);
    try {
      const refused = await get(before).expect(403);
      expect(refused.body.error.message).toMatch(/requires multi-factor authentication/);
      await get(noMfa).expect(403);
      t.clock.advance(1000);
      // Saving the setting again does not move the date.
      await setMfaRequired(t.database.db, t.clock, true, system);
      const after = await makeToken(t.database.db, t.clock, withMfa.email);
      await get(after).expect(200);
      await get(await makeToken(t.database.db, t.clock, without.email)).expect(403);
    } finally {
      await setMfaRequired(t.database.db, t.clock, false, system);
    }
    await get(before).expect(200);
  });
});
