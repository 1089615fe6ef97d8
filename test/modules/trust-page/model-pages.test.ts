import { Ajv } from 'ajv';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemas } from '../../../server/modules/trust-page/api.js';
import { accessContent, INTERNAL_TITLE } from '../../helpers/access-content.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, makeToken } from '../../helpers/staff.js';

let t: TestApp;
let content: Awaited<ReturnType<typeof accessContent>>;

/** Indexed content the searches below must find (public) or must never show (internal). */
const MFA_QUESTION = 'Do administrators sign in with multi-factor authentication?';
const SEALED = 'Break-glass credentials are sealed in the vault and rotated after each use.';

beforeAll(async () => {
  content = await accessContent();
  content.edit('library/data.yaml', (yaml) =>
    yaml +
    `  - id: admin-mfa
    question: ${MFA_QUESTION}
    phrasings: [Are privileged accounts protected by a second factor?]
    answer: "Yes"
    explanation: Every administrator uses a hardware key as the second factor.
    controls: [iso27002:8.24]
    access: public
    owner: Security Engineering
    reviewed: -10d
  - id: break-glass
    question: How are break-glass accounts handled?
    phrasings: [Emergency access accounts?, Break-glass procedure]
    kind: open
    explanation: ${SEALED}
    controls: [iso27002:8.24]
    access: internal
    owner: Security Engineering
    reviewed: -10d
`,
  );
  t = await createTestApp({ contentDir: content.dir });
});
afterAll(async () => {
  await t.close();
  content.remove();
});

const get = (url: string) => request(t.app.server).get(url);

describe('responsibility, controls, search and ask', () => {
  it('the matrix differs per service: the customer patches on IaaS, the provider on PaaS', async () => {
    const vm = await get('/responsibility?service=vm&theme=all').expect(200);
    expect(vm.text).toMatch(/id="iso27002:8.13"[\s\S]*?party-customer[\s\S]*?Schedules snapshots of every volume/);
    const db = await get('/responsibility?service=db&theme=all').expect(200);
    expect(db.text).toMatch(/id="iso27002:8.13"[\s\S]*?party-provider[\s\S]*?Runs continuous archiving/);
    expect(db.text).toContain('current evidence');
  });

  it('a control page shows our description and each service\'s split; unknown ids are 404', async () => {
    const res = await get('/controls/iso27002%3A8.13').expect(200);
    expect(res.text).toContain('Keep tested backup copies');
    expect(res.text).toContain('Acme VMs (IaaS)');
    await get('/controls/iso27002%3A9.99').expect(404);
  });

  it('search finds by acronym through the thesaurus, and odd query syntax is just text', async () => {
    // "2FA" appears nowhere in the content: only the thesaurus leads it to "multi-factor authentication".
    const res = await get('/search?q=2FA').expect(200);
    expect(Number(/(\d+) results? for/.exec(res.text)?.[1])).toBeGreaterThan(0);
    expect(res.text).toContain(MFA_QUESTION);
    for (const q of ['"unclosed', 'title:x~2^3', '+-*:', '%00', '<script>alert(1)</script>']) {
      const r = await get(`/search?q=${encodeURIComponent(q)}`).expect(200);
      expect(r.text).not.toContain('<script>alert(1)</script>');
    }
    const backup = await get('/search?q=backup').expect(200);
    expect(backup.text).toContain('<mark>backup</mark>');
  });

  it('/ask answers from public content only, and says plainly when it has no answer', async () => {
    const yes = await get('/ask?q=Do+you+back+up+customer+data%3F').expect(200);
    expect(yes.text).toContain('Daily backups, kept 35 days.');
    const none = await get('/ask?q=What+is+your+favourite+colour%3F').expect(200);
    expect(none.text).toContain('There is no published answer to this question.');
    expect(none.text).toContain('action="/ask/security-team"');
    // The internal answer is indexed and matches (staff reading as internal get it) ...
    const admin = await makeStaff(t.database.db, t.clock, 'admin');
    const staffAnswer = await request(t.app.server).post('/api/v1/answer').set('authorization', `Bearer ${await makeToken(t.database.db, t.clock, admin.email)}`).send({ question: 'How are break-glass accounts handled?', audience: 'internal' }).expect(200);
    expect(staffAnswer.body.why.answerId).toBe('break-glass');
    // ... and the public never sees it, on /ask or in search.
    const internal = await get(`/ask?q=${encodeURIComponent('How are break-glass accounts handled?')}`).expect(200);
    expect(internal.text).not.toContain(SEALED);
    expect((await get('/search?q=break-glass+vault').expect(200)).text).not.toContain(SEALED);
    expect((await get(`/ask?q=${encodeURIComponent(INTERNAL_TITLE)}`).expect(200)).text).not.toContain('ev-runbook');
  });

  it('the customer checklist downloads as CSV and as an XLSX with the customer duties', async () => {
    const csv = await get('/api/v1/responsibilities/customer-checklist?service=vm&format=csv').expect(200);
    expect(csv.text.split('\r\n')[0]).toBe('control,title,responsibility,what you must do,what the provider does,done?');
    expect(csv.text).toContain('Schedules snapshots of every volume');
    const xlsx = await get('/api/v1/responsibilities/customer-checklist?service=vm&format=xlsx')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ArrayBuffer);
    const ws = wb.getWorksheet('Your responsibilities')!;
    expect(ws.getRow(2).getCell(4).value).toBe('what you must do');
    expect(String(ws.getRow(3).getCell(4).value)).toContain('Schedules snapshots');
    await get('/api/v1/responsibilities/customer-checklist?service=nope').expect(400);
  });
});

describe('machine-readable trust API', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  it.each([
    ['/api/v1/certifications', 'certifications', schemas.certification],
    ['/api/v1/locations', 'locations', schemas.location],
    ['/api/v1/subprocessors', 'subprocessors', schemas.subprocessor],
    ['/api/v1/changes', 'changes', schemas.change],
    ['/api/v1/faq', 'faq', schemas.faq],
    ['/api/v1/documents', 'documents', schemas.document],
  ])('%s matches its documented schema', async (url, key, schema) => {
    const res = await get(url).expect(200);
    const validate = ajv.compile({ type: 'object', required: [key], properties: { [key]: { type: 'array', items: schema } } });
    expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
    expect(res.body[key].length).toBeGreaterThan(0);
  });

  it('/api/v1/trust has everything public and nothing else', async () => {
    const res = await get('/api/v1/trust').expect(200);
    expect(res.body.locations[0]).toMatchObject({ id: 'eu-1', country: 'DE' });
    expect(res.body.certifications[0]).toMatchObject({ status: 'valid' });
    expect(JSON.stringify(res.body)).not.toContain(INTERNAL_TITLE);
    const nda = res.body.documents.find((d: { access: string }) => d.access === 'nda');
    expect(nda).toMatchObject({ download: null, request: '/access/request?documents=ev-soc2' });
    expect(nda.sha256).toBeNull();
  });

  it('OpenAPI is published at /docs/json and documents the trust endpoints', async () => {
    const res = await get('/docs/json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/trust', '/api/v1/locations', '/api/v1/answer']));
    expect(res.body.paths['/api/v1/locations'].get.responses['200']).toBeDefined();
  });

  it('the public API documentation leaves out staff routes; staff read all of it', async () => {
    const open = Object.keys((await get('/docs/json').expect(200)).body.paths);
    expect(open).not.toContain('/api/v1/questionnaires');
    const publicPaths = new Set(t.app.routeIndex.filter((r) => r.access === 'public').map((r) => r.url.replace(/:(\w+)/g, '{$1}')));
    expect(open.filter((p) => !publicPaths.has(p))).toEqual([]);
    expect(open).toContain('/api/v1/trust');
    expect([401, 303]).toContain((await request(t.app.server).get('/admin/api-docs.json')).status);
    const viewer = await makeStaff(t.database.db, t.clock, 'viewer');
    const all = await request(t.app.server).get('/admin/api-docs.json').set('authorization', `Bearer ${await makeToken(t.database.db, t.clock, viewer.email)}`).expect(200);
    expect(all.headers['cache-control']).toContain('no-store');
    expect(Object.keys(all.body.paths)).toEqual(expect.arrayContaining(['/api/v1/questionnaires', '/api/v1/trust']));
  });
});
