import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';
import { configurePasswordHashing, DEFAULT_SCRYPT_N, hashPassword, passwordHashing, verifyPassword } from '../../../server/modules/staff/passwords.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, TEST_PASSWORD } from '../../helpers/staff.js';

// Issue 15: scrypt N=2^14 was below OWASP's 2^17. Other tests hash at 2^14 (test/helpers/app.ts);
// this file is the one place the default cost and the upgrade on sign-in run.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: null, env: { PASSWORD_SCRYPT_N: String(DEFAULT_SCRYPT_N) } });
});
afterAll(async () => t.close());

async function storedHash(id: string): Promise<string> {
  return (await t.database.db.selectFrom('staff_users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash;
}

describe('password hashing', () => {
  it('defaults to scrypt N=2^17, configurable; other values are refused', () => {
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), AUDIT_KEY: `k:${'k'.repeat(40)}`, TOTP_KEY: 'ab'.repeat(32) }).passwordHashing.scryptN).toBe(2 ** 17);
    expect(loadConfig({ NODE_ENV: 'test', PASSWORD_SCRYPT_N: '16384' }).passwordHashing.scryptN).toBe(16384);
    expect(() => loadConfig({ NODE_ENV: 'test', PASSWORD_SCRYPT_N: '100000' })).toThrow(/^PASSWORD_SCRYPT_N:/);
    expect(() => loadConfig({ NODE_ENV: 'test', PASSWORD_SCRYPT_N: '1024' })).toThrow(/^PASSWORD_SCRYPT_N:/);
  });

  it('an older, cheaper hash is redone at the default cost on the next sign-in', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    await t.database.db.updateTable('staff_users').set({ password_hash: await hashPassword(TEST_PASSWORD, 2 ** 14) }).where('id', '=', user.id).execute();
    expect(await storedHash(user.id)).toMatch(/^scrypt\$16384\$/);

    await request(t.app.server).post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    const upgraded = await storedHash(user.id);
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword(TEST_PASSWORD, upgraded)).toBe(true);
    // A failed sign-in leaves the hash alone.
    await request(t.app.server).post('/api/v1/session').send({ email: user.email, password: 'not the password!' }).expect(401);
    expect(await storedHash(user.id)).toBe(upgraded);
  });

  it('computes no more hashes at once than configured', async () => {
    const before = passwordHashing();
    configurePasswordHashing({ scryptN: 2 ** 14, concurrency: 2 });
    try {
      const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hashPassword(`password number ${i}`)));
      expect(new Set(hashes).size).toBe(6);
      expect(passwordHashing().peak).toBeLessThanOrEqual(2);
      expect(passwordHashing().active).toBe(0);
    } finally {
      configurePasswordHashing(before);
    }
  });
});
