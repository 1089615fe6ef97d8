import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';
import { currentTotp, enableMfa, newTotpSecret, sealPlainTotpSecrets } from '../../../server/modules/staff/mfa.js';
import { openTotpSecret, sealTotpSecret } from '../../../server/modules/staff/totp-vault.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, mfaOf, TEST_PASSWORD } from '../../helpers/staff.js';

// Issue 15: TOTP secrets were stored in plain text.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: null });
});
afterAll(async () => t.close());

async function storedSecret(id: string): Promise<string> {
  return (await t.database.db.selectFrom('staff_users').select('mfa_secret').where('id', '=', id).executeTakeFirstOrThrow()).mfa_secret!;
}

async function signInWithCode(email: string, code: string): Promise<number> {
  const agent = request.agent(t.app.server);
  await agent.post('/api/v1/session').send({ email, password: TEST_PASSWORD }).expect(200);
  return (await agent.post('/api/v1/session/mfa').send({ code })).status;
}

describe('TOTP secrets at rest', () => {
  it('are stored encrypted and still verify codes', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const secret = newTotpSecret();
    await enableMfa(mfaOf(t), user.id, secret, currentTotp(secret, user.email, t.clock.now()), null);
    const stored = await storedSecret(user.id);
    expect(stored).not.toContain(secret);
    expect(stored).toMatch(/^v1\./);
    expect(openTotpSecret(t.config.totpKey, user.id, stored)).toBe(secret);
    t.clock.advance(30_000);
    expect(await signInWithCode(user.email, currentTotp(secret, user.email, t.clock.now()))).toBe(200);
  });

  it('do not open with another key or on another user’s row', async () => {
    const sealed = sealTotpSecret(t.config.totpKey, 'user-a', 'JBSWY3DPEHPK3PXP');
    expect(() => openTotpSecret(Buffer.alloc(32, 9), 'user-a', sealed)).toThrow(/TOTP_KEY/);
    expect(() => openTotpSecret(t.config.totpKey, 'user-b', sealed)).toThrow(/TOTP_KEY/);
  });

  it('stored in plain text before the upgrade still work and are sealed (at start-up, or when used)', async () => {
    const used = await makeStaff(t.database.db, t.clock, 'viewer');
    const idle = await makeStaff(t.database.db, t.clock, 'viewer');
    const secret = newTotpSecret();
    const legacy = { mfa_secret: secret, mfa_enabled_at: t.clock.now(), recovery_codes: '[]' };
    await t.database.db.updateTable('staff_users').set(legacy).where('id', 'in', [used.id, idle.id]).execute();

    t.clock.advance(30_000);
    expect(await signInWithCode(used.email, currentTotp(secret, used.email, t.clock.now()))).toBe(200);
    expect(await storedSecret(used.id)).toMatch(/^v1\./);

    expect(await storedSecret(idle.id)).toBe(secret);
    expect(await sealPlainTotpSecrets(mfaOf(t))).toBe(1);
    expect(openTotpSecret(t.config.totpKey, idle.id, await storedSecret(idle.id))).toBe(secret);
  });

  it('TOTP_KEY: required in production, generated once in the data folder in development, checked for length', () => {
    const prod = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), AUDIT_KEY: `k:${'k'.repeat(40)}` };
    expect(() => loadConfig(prod)).toThrow(/^TOTP_KEY: is required in production/);
    expect(loadConfig({ ...prod, TOTP_KEY: 'ab'.repeat(32) }).totpKey).toEqual(Buffer.alloc(32, 0xab));
    expect(() => loadConfig({ NODE_ENV: 'test', TOTP_KEY: 'too short' })).toThrow(/^TOTP_KEY:/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evident-totp-'));
    try {
      const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }).totpKey;
      expect(first).toHaveLength(32);
      expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }).totpKey).toEqual(first);
      expect(Buffer.from(readFileSync(path.join(dir, 'totp-key'), 'utf8').trim(), 'base64url')).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
