import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

// Issue 15, finding 2: a rotating X-Forwarded-For must neither bypass per-IP limits nor forge the
// address written to the audit log, unless the request came through a configured proxy.

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function failedLoginIps(app: TestApp): Promise<(string | null)[]> {
  const rows = await app.database.db.selectFrom('audit_log').select('ip').where('action', '=', 'staff.login_failed').orderBy('id').execute();
  return rows.map((r) => r.ip);
}

function attempt(app: TestApp, i: number) {
  return request(app.app.server)
    .post('/api/v1/session')
    .set('x-forwarded-for', `203.0.113.${i}`)
    .send({ email: `nobody${i}@provider.example`, password: 'wrong password!' });
}

describe('client address', () => {
  it('without TRUST_PROXY a forged X-Forwarded-For changes nothing: the limit holds and the audit log has the socket address', async () => {
    t = await createTestApp({ contentDir: null, env: { LOGIN_RATE_LIMIT: '3' } });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await attempt(t, i)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const ips = await failedLoginIps(t);
    expect(ips).toHaveLength(3);
    for (const ip of ips) expect(ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
  });

  it('with TRUST_PROXY=127.0.0.1 the forwarded address is the client: limits and audit follow it', async () => {
    t = await createTestApp({ contentDir: null, env: { LOGIN_RATE_LIMIT: '3', TRUST_PROXY: '127.0.0.1' } });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await attempt(t, i)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(await failedLoginIps(t)).toEqual(['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5']);
  });

  it('with a proxy list, a header from a client that is not a listed proxy is ignored', async () => {
    t = await createTestApp({ contentDir: null, env: { TRUST_PROXY: '10.9.8.7' } });
    await attempt(t, 9).expect(401);
    const [ip] = await failedLoginIps(t);
    expect(ip).not.toBe('203.0.113.9');
  });
});
