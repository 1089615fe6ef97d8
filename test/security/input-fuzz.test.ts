import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessContent } from '../helpers/access-content.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { makeStaff, makeToken } from '../helpers/staff.js';

let t: TestApp;
let content: Awaited<ReturnType<typeof accessContent>>;
let adminAuth: string;

beforeAll(async () => {
  content = await accessContent();
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '100000', PUBLIC_FORM_RATE_LIMIT: '100000' } });
  const admin = await makeStaff(t.database.db, t.clock, 'admin');
  adminAuth = `Bearer ${await makeToken(t.database.db, t.clock, admin.email)}`;
});
afterAll(async () => {
  await t.close();
  content.remove();
});

/** Every route the app registered that takes a body: a new route is covered without touching this file. */
function routesWithBodies() {
  return t.app.routeIndex.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
}

/** Path parameters filled with values that look plausible but name nothing. */
function concrete(url: string): string {
  return url.replace(/:token/g, 'A'.repeat(43)).replace(/:[A-Za-z]+/g, 'no-such-id').replace(/\*$/, 'x');
}

type Shape = { name: string; send: (req: request.Test) => request.Test };
const shapes: Shape[] = [
  { name: 'no body', send: (req) => req },
  { name: 'a JSON null', send: (req) => req.set('content-type', 'application/json').send('null') },
  { name: 'a JSON array', send: (req) => req.set('content-type', 'application/json').send('[]') },
  { name: 'a JSON string', send: (req) => req.set('content-type', 'application/json').send('"x"') },
  { name: 'fields of the wrong type', send: (req) => req.set('content-type', 'application/json').send(JSON.stringify({ email: 5, name: null, question: ['x'], documents: { a: 1 }, action: 7, reason: false })) },
  { name: 'an empty form', send: (req) => req.type('form').send('') },
];

describe('every route answers a missing or malformed body with a 4xx, never a 500', () => {
  it('finds the routes to probe from the app itself', () => {
    const urls = routesWithBodies().map((r) => `${r.method} ${r.url}`);
    expect(urls.length).toBeGreaterThan(30);
    expect(urls).toEqual(expect.arrayContaining(['POST /access/request', 'POST /subscribe', 'POST /api/v1/access-requests', 'POST /admin/library/:id']));
  });

  it.each([
    ['anonymous', () => ({})],
    ['an admin token', () => ({ authorization: adminAuth })],
  ])('as %s', async (_who, headers) => {
    const failures: string[] = [];
    for (const route of routesWithBodies()) {
      for (const shape of shapes) {
        let req = request(t.app.server)[route.method.toLowerCase() as 'post'](concrete(route.url)).set('accept', 'application/json');
        for (const [k, v] of Object.entries(headers() as Record<string, string>)) req = req.set(k, v);
        const res = await shape.send(req);
        if (res.status >= 500) failures.push(`${route.method} ${route.url} with ${shape.name} → ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('validation errors name the field', () => {
  it('the anonymous JSON endpoints', async () => {
    const missing = await request(t.app.server).post('/api/v1/access-requests').send({ name: 'Pat', company: 'Contoso', reason: 'x', documents: ['ev-soc2'] }).expect(400);
    expect(missing.body.error).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/email/) });
    const nullBody = await request(t.app.server).post('/api/v1/answer').set('content-type', 'application/json').send('null').expect(400);
    expect(nullBody.body.error.message).toMatch(/question/);
    const wrongType = await request(t.app.server).post('/api/v1/answer').send({ question: { text: 'x' } }).expect(400);
    expect(wrongType.body.error.message).toMatch(/question/);
  });

  it('the public forms answer a missing body with 400 (after their CSRF check), not 500', async () => {
    const agent = request.agent(t.app.server);
    const page = await agent.get('/access/request').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await agent.post('/access/request').set('x-csrf-token', csrf).set('content-type', 'application/json').send('null').expect(400);
    await agent.post('/subscribe').set('x-csrf-token', csrf).set('content-type', 'application/json').send('null').expect(400);
  });
});
