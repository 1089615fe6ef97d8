import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessContent, INTERNAL_TITLE } from '../helpers/access-content.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let content: Awaited<ReturnType<typeof accessContent>>;

beforeAll(async () => {
  content = await accessContent();
  t = await createTestApp({ contentDir: content.dir, env: { PUBLIC_FORM_RATE_LIMIT: '10000' } });
});
afterAll(async () => {
  await t.close();
  content.remove();
});

/** Every public GET page and API the app registered, with ids filled in from the content. */
async function publicUrls(): Promise<string[]> {
  const controls = (await t.database.db.selectFrom('controls').select('id').execute()).map((c) => c.id);
  const services = (await t.database.db.selectFrom('services').select('id').execute()).map((s) => s.id);
  const fixed = t.app.routeIndex.filter((r) => r.method === 'GET' && r.access === 'public' && !r.url.includes(':') && !r.url.startsWith('/docs') && !r.url.startsWith('/static'));
  const urls = fixed.map((r) => r.url);
  for (const id of controls) urls.push(`/controls/${encodeURIComponent(id)}`, `/api/v1/controls/${encodeURIComponent(id)}`);
  for (const s of services) urls.push(`/responsibility?service=${s}&theme=all`, `/data-locations?service=${s}`, `/api/v1/responsibilities/customer-checklist?service=${s}&format=csv`, `/api/v1/responsibilities?service=${s}`);
  for (const q of ['runbook', 'break glass', 'internal', 'soc2', 'report', 'encryption', 'backup', 'mfa']) urls.push(`/search?q=${encodeURIComponent(q)}`, `/ask?q=${encodeURIComponent(q)}`);
  return [...new Set(urls)];
}

describe('nothing restricted leaks through a public page, feed, search, API or /ask', () => {
  it('no internal title, no restricted file name, anywhere public', async () => {
    const urls = await publicUrls();
    expect(urls.length).toBeGreaterThan(20);
    for (const url of urls) {
      const res = await request(t.app.server).get(url);
      expect(res.status, url).toBeLessThan(500);
      const body = res.text ?? '';
      expect(body, url).not.toContain(INTERNAL_TITLE);
      expect(body, url).not.toContain('runbook.pdf');
      expect(body, url).not.toContain('soc2.pdf');
      if ((res.headers['content-type'] ?? '').startsWith('text/html')) {
        expect(res.headers['content-security-policy'], url).toMatch(/script-src 'self'/);
        expect(res.headers['content-security-policy'], url).not.toMatch(/script-src[^;]*unsafe-inline/);
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      }
    }
    for (const question of ['Break-glass runbook?', 'Do you have a SOC 2 report?', 'internal runbook']) {
      const res = await request(t.app.server).post('/api/v1/answer').send({ question });
      expect(res.text).not.toContain(INTERNAL_TITLE);
      for (const c of res.body.citations ?? []) expect(c.access === undefined || c.access === 'public', JSON.stringify(c)).toBe(true);
    }
  });

  it('NDA files are never served without a grant, by any path', async () => {
    for (const url of ['/documents/ev-soc2/file', '/documents/ev-runbook/file', '/evidence/files/soc2.pdf', '/content/evidence/files/soc2.pdf', '/static/soc2.pdf', '/access/ev-soc2', '/access/x/documents/ev-soc2']) {
      const res = await request(t.app.server).get(url);
      expect([403, 404], url).toContain(res.status);
      expect(res.headers['content-type'] ?? '', url).not.toContain('application/pdf');
    }
  });
});

describe('injection probes on every public query parameter and form field', () => {
  const payloads = [`'"><script>alert(1)</script>`, `' OR '1'='1' --`, `'; drop table staff_users; --`, '{{constructor.constructor("alert(1)")()}}', '%00%27', '../../../../etc/passwd'];

  it('query parameters: normal or 4xx responses, payload escaped', async () => {
    const staffBefore = await t.database.db.selectFrom('staff_users').select('id').execute();
    for (const path of ['/search?q=', '/ask?q=', '/data-locations?service=', '/data-locations?category=', '/responsibility?service=', '/responsibility?theme=', '/access/request?documents=', '/admin/login?next=']) {
      for (const payload of payloads) {
        const res = await request(t.app.server).get(path + encodeURIComponent(payload));
        expect(res.status, path + payload).toBeLessThan(500);
        expect(res.text, path + payload).not.toContain('<script>alert(1)</script>');
      }
    }
    // The table is still there, with the same rows: no payload reached the database as SQL.
    expect(await t.database.db.selectFrom('staff_users').select('id').execute()).toEqual(staffBefore);
  });

  it('form fields: the request form and the API escape what they echo and store what they get', async () => {
    const agent = request.agent(t.app.server);
    const form = await agent.get('/access/request');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    for (const payload of payloads) {
      const res = await agent.post('/access/request').type('form').send({ _csrf: csrf, name: payload, email: 'bad', company: payload, reason: payload, documents: 'ev-soc2' });
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('<script>alert(1)</script>');
    }
    const res = await request(t.app.server).post('/api/v1/access-requests').send({ name: payloads[0], email: 'x@contoso.example', company: payloads[1], reason: payloads[2], documents: ['ev-soc2'] });
    expect(res.status).toBe(201);
    const stored = await t.database.db.selectFrom('access_requests').select(['name', 'company']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ name: payloads[0], company: payloads[1] });
  });
});
