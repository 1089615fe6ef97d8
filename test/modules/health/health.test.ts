import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { minimalContentDir } from '../../helpers/content-fixture.js';
import { testDatabaseUrl } from '../../helpers/database.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: minimalContentDir });
});
afterAll(async () => t.close());

describe('GET /healthz', () => {
  it('reports the database kind and the content revision', async () => {
    const res = await request(t.app.server).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: testDatabaseUrl ? 'postgres' : 'pglite', contentRevision: expect.stringMatching(/^\d+:[0-9a-f]{12}$/) });
  });

  it('answers 404 with JSON under /api and an HTML page elsewhere', async () => {
    const api = await request(t.app.server).get('/api/v1/nothing-here').expect(404);
    expect(api.body.error).toMatchObject({ code: 'not_found' });
    const page = await request(t.app.server).get('/nothing-here').expect(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('Page not found');
  });

  it('sets security headers with a strict content security policy', async () => {
    const res = await request(t.app.server).get('/nothing-here');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });

  it('gives the JSON API a short policy that still forbids running, framing and sniffing what it returns', async () => {
    const res = await request(t.app.server).get('/api/v1/services').expect(200);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    // Headers that only shape a document are a page's business.
    expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(res.headers['x-xss-protection']).toBeUndefined();
  });
});

describe('GET /healthz without a database', () => {
  it('answers 503 when the database is unreachable', async () => {
    const down = await createTestApp({ contentDir: minimalContentDir });
    await down.database.close();
    const res = await request(down.app.server).get('/healthz').expect(503);
    expect(res.body.status).toBe('unavailable');
    await down.app.close();
  });
});
