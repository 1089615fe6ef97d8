import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../../server/lib/page.js';
import { delayAfter, EMAIL_POLICY, MAX_DELAY_MS, ADDRESS_POLICY } from '../../../server/modules/staff/throttle.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, TEST_PASSWORD } from '../../helpers/staff.js';

// Issue 15, low findings: lockout by email as a denial-of-service lever, login CSRF, open redirect.
// TRUST_PROXY lets the tests speak from several addresses through X-Forwarded-For.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: null, env: { LOGIN_RATE_LIMIT: '1000', TRUST_PROXY: '127.0.0.1' } });
});
afterAll(async () => t.close());

function signInFrom(ip: string, email: string, password: string) {
  return request(t.app.server).post('/api/v1/session').set('x-forwarded-for', ip).send({ email, password });
}

describe('the delay', () => {
  it('doubles past the allowance and stops at 15 minutes', () => {
    expect(delayAfter(ADDRESS_POLICY.free - 1, ADDRESS_POLICY)).toBe(0);
    expect(delayAfter(ADDRESS_POLICY.free, ADDRESS_POLICY)).toBe(30_000);
    expect(delayAfter(ADDRESS_POLICY.free + 1, ADDRESS_POLICY)).toBe(60_000);
    expect(delayAfter(ADDRESS_POLICY.free + 20, ADDRESS_POLICY)).toBe(MAX_DELAY_MS);
    expect(delayAfter(10_000, ADDRESS_POLICY)).toBe(15 * 60 * 1000);
    expect(EMAIL_POLICY.free).toBeGreaterThan(ADDRESS_POLICY.free);
  });
});

describe('wrong passwords', () => {
  it('slow down the address they came from, not the owner signing in from elsewhere', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    for (let i = 0; i < 5; i++) await signInFrom('203.0.113.1', user.email, 'a wrong password').expect(401);
    const held = await signInFrom('203.0.113.1', user.email, TEST_PASSWORD).expect(429);
    expect(Number(held.headers['retry-after'])).toBe(30);
    await signInFrom('198.51.100.2', user.email, TEST_PASSWORD).expect(200);
  });

  it('answer with a growing delay from the same address, capped at 15 minutes', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const retryAfter: number[] = [];
    for (let i = 0; i < 12; i++) {
      await signInFrom('203.0.113.3', user.email, 'a wrong password');
      const held = await signInFrom('203.0.113.3', user.email, 'a wrong password');
      if (held.status === 429) {
        retryAfter.push(Number(held.headers['retry-after']));
        t.clock.advance(Number(held.headers['retry-after']) * 1000 + 1000);
      }
    }
    expect(retryAfter.slice(0, 6)).toEqual([30, 60, 120, 240, 480, 900]);
    expect(Math.max(...retryAfter)).toBe(900);
    // Once the delay has passed, the right password works and the count starts afresh.
    await signInFrom('203.0.113.3', user.email, TEST_PASSWORD).expect(200);
    await signInFrom('203.0.113.3', user.email, 'a wrong password').expect(401);
    await signInFrom('203.0.113.3', user.email, 'a wrong password').expect(401);
  });

  it('from many addresses slow the email at a higher threshold, but not an address the owner signed in from', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    await signInFrom('198.51.100.7', user.email, TEST_PASSWORD).expect(200);
    for (let i = 1; i <= EMAIL_POLICY.free; i++) await signInFrom(`203.0.113.${100 + i}`, user.email, 'a wrong password').expect(401);
    const held = await signInFrom('203.0.113.250', user.email, TEST_PASSWORD).expect(429);
    expect(held.body.error.code).toBe('locked');
    await signInFrom('198.51.100.7', user.email, TEST_PASSWORD).expect(200);
  });
});

describe('login CSRF', () => {
  it('the JSON sign-in refuses form posts and requests from another site', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    await request(t.app.server).post('/api/v1/session').type('form').send({ email: user.email, password: TEST_PASSWORD }).expect(403);
    await request(t.app.server).post('/api/v1/session').set('content-type', 'text/plain').send(JSON.stringify({ email: user.email, password: TEST_PASSWORD })).expect(403);
    await request(t.app.server).post('/api/v1/session').set('origin', 'https://evil.example').send({ email: user.email, password: TEST_PASSWORD }).expect(403);
    await request(t.app.server).post('/api/v1/session').set('sec-fetch-site', 'cross-site').send({ email: user.email, password: TEST_PASSWORD }).expect(403);
    const server = request(t.app.server);
    const same = await server.post('/api/v1/session').set('sec-fetch-site', 'same-origin').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    expect(same.body.user.email).toBe(user.email);
  });

  it('the form sign-in needs the CSRF token of this site', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    await request(t.app.server).post('/admin/login').type('form').set('origin', 'https://evil.example').send({ email: user.email, password: TEST_PASSWORD }).expect(403);
  });
});

describe('next=', () => {
  it.each([
    ['/%09/evil.example', '/admin'],
    ['/\t/evil.example', '/admin'],
    ['/\r\n/evil.example', '/admin'],
    ['/\\evil.example', '/admin'],
    ['/%5Cevil.example', '/admin'],
    ['//evil.example', '/admin'],
    ['https://evil.example/', '/admin'],
    ['/%2F/evil.example', '/admin'],
    ['/admin/questionnaires?page=2', '/admin/questionnaires?page=2'],
    ['/admin/account\t', '/admin/account'],
  ])('%j is followed as %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it('a tab-smuggled next= after signing in stays on this site', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'viewer');
    const agent = request.agent(t.app.server);
    const page = await agent.get('/admin/login?next=%2F%09%2Fevil.example').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    expect(page.text).not.toContain('evil.example');
    const res = await agent.post('/admin/login').type('form').send({ _csrf: csrf, email: user.email, password: TEST_PASSWORD, next: '/%09/evil.example' }).expect(303);
    expect(res.headers.location).toBe('/admin');
  });
});
