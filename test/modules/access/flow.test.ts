import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { inflateSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../server/modules/audit/service.js';
import { syncContent } from '../../../server/modules/content/service.js';
import { accessContent } from '../../helpers/access-content.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';

let t: TestApp;
let editor: SignedIn;
let content: Awaited<ReturnType<typeof accessContent>>;

beforeAll(async () => {
  content = await accessContent();
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', PUBLIC_FORM_RATE_LIMIT: '1000' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

function outbox(): { name: string; text: string }[] {
  const dir = path.join(t.dataDir, 'outbox');
  try {
    return readdirSync(dir).sort().map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));
  } catch {
    return [];
  }
}

function linkIn(eml: string): string {
  const unfolded = eml.replace(/=\r?\n/g, '');
  return /\/access\/([A-Za-z0-9_-]{43})/.exec(unfolded)![1];
}

function requestDocs(email: string, extra: Record<string, unknown> = {}) {
  return request(t.app.server).post('/api/v1/access-requests').send({ name: 'Pat Buyer', email, company: 'Contoso Bank', reason: 'Vendor due diligence', documents: ['ev-soc2'], ...extra });
}

const binary = (res: request.Response) => res.body as Buffer;

/** The text drawn on the pages: content streams inflated, hex strings decoded. */
function pdfText(data: Buffer): string {
  const raw = data.toString('latin1');
  let text = '';
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let body: string;
    try {
      body = inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      body = m[1];
    }
    for (const hex of body.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g)) text += Buffer.from(hex[1], 'hex').toString('latin1') + '\n';
    for (const lit of body.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)) text += lit[1] + '\n';
  }
  return text;
}
const asBuffer = (req: request.Test) =>
  req.buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });

describe('restricted documents under NDA, end to end', () => {
  let token = '';
  let grantId = '';
  let requestId = '';

  it('request → staff approve → e-mail with link in the outbox', async () => {
    const res = await requestDocs('pat@contoso.example').expect(201);
    expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
    requestId = res.body.id;
    await t.app.mail.flush();
    expect(outbox().some((m) => /To: pat@contoso\.example/.test(m.text) && /received your request/.test(m.text))).toBe(true);
    expect(outbox().some((m) => /Document request from Contoso Bank/.test(m.text))).toBe(true);

    const approved = await editor.agent.post(`/api/v1/access-requests/${requestId}/approve`).set('x-csrf-token', editor.csrf).send({ expiresInDays: 14 }).expect(200);
    expect(approved.body.grant).toMatchObject({ id: expect.any(String), documents: ['ev-soc2'] });
    expect(new Date(approved.body.grant.expiresAt).getTime() - t.clock.now().getTime()).toBe(14 * 86_400_000);
    grantId = approved.body.grant.id;
    await t.app.mail.flush();
    const mail = outbox().find((m) => /Your access to security documents/.test(m.text))!;
    expect(mail.name).toMatch(/^\d{8}T\d{6}Z-[0-9a-f-]+\.eml$/);
    token = linkIn(mail.text);
    const stored = await t.database.db.selectFrom('access_grants').select('token_hash').where('id', '=', grantId).executeTakeFirstOrThrow();
    // Only the hash is stored: it matches the link's token, and the token itself is nowhere in the row.
    expect(stored.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(await t.database.db.selectFrom('access_grants').selectAll().where('id', '=', grantId).executeTakeFirstOrThrow())).not.toContain(token);
  });

  it('the link shows the NDA first; downloading before accepting is refused', async () => {
    const page = await request(t.app.server).get(`/access/${token}`).expect(200);
    expect(page.text).toContain('Keep it secret.');
    expect(page.headers['cache-control']).toBe('no-store');
    await request(t.app.server).get(`/access/${token}/documents/ev-soc2`).expect(403);
  });

  it('accepting the NDA records who, which version and its hash; the download is watermarked and recorded', async () => {
    const agent = request.agent(t.app.server);
    const page = await agent.get(`/access/${token}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await agent.post(`/access/${token}/nda`).type('form').send({ _csrf: csrf, name: 'Pat Buyer' }).expect(400);
    await agent.post(`/access/${token}/nda`).type('form').set('user-agent', 'test-browser').send({ _csrf: csrf, name: 'Pat Buyer', accept: 'on' }).expect(303);
    const acceptance = await t.database.db.selectFrom('nda_acceptances').selectAll().where('grant_id', '=', grantId).executeTakeFirstOrThrow();
    expect(acceptance).toMatchObject({ nda_version: '1', name: 'Pat Buyer', email: 'pat@contoso.example', user_agent: 'test-browser' });
    expect(acceptance.nda_sha256).toMatch(/^[0-9a-f]{64}$/);

    const list = await agent.get(`/access/${token}`).expect(200);
    expect(list.text).toContain('SOC 2 Type II Report (test)');
    const file = await asBuffer(agent.get(`/access/${token}/documents/ev-soc2`)).expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    const pdf = await PDFDocument.load(binary(file));
    expect(pdf.getPageCount()).toBe(2);
    const text = pdfText(binary(file));
    expect(text.match(/Pat Buyer <pat@contoso\.example>, Contoso Bank/g)?.length).toBeGreaterThanOrEqual(2 * 2); // header and footer on each page
    expect(text).toContain(grantId);
    expect(pdf.getSubject()).toContain('Pat Buyer');
    const original = readFileSync(path.join(content.dir, 'evidence/files/soc2.pdf'));
    const download = await t.database.db.selectFrom('document_downloads').selectAll().where('grant_id', '=', grantId).executeTakeFirstOrThrow();
    expect(download.original_sha256).toBe((await import('node:crypto')).createHash('sha256').update(original).digest('hex'));
    expect(download.served_sha256).not.toBe(download.original_sha256);
  });

  it('a new NDA version requires acceptance again', async () => {
    const ndaFile = path.join(content.dir, 'nda/nda.md');
    writeFileSync(ndaFile, readFileSync(ndaFile, 'utf8').replace('version: "1"', 'version: "2"').replace('Keep it secret.', 'Keep it secret, version two.'));
    await syncContent(t.database.db, content.dir, t.clock);
    const page = await request(t.app.server).get(`/access/${token}`).expect(200);
    expect(page.text).toContain('version two');
    await request(t.app.server).get(`/access/${token}/documents/ev-soc2`).expect(403);
  });

  it('revocation: the link answers 410 with a page offering a new request', async () => {
    await editor.agent.post(`/api/v1/grants/${grantId}/revoke`).set('x-csrf-token', editor.csrf).expect(200);
    const gone = await request(t.app.server).get(`/access/${token}`).expect(410);
    expect(gone.text).toContain('Request the documents again');
    await request(t.app.server).get(`/access/${token}/documents/ev-soc2`).expect(410);
    const grants = await editor.agent.get('/api/v1/grants').expect(200);
    expect(grants.body.grants.find((g: { id: string }) => g.id === grantId).state).toBe('revoked');
  });

  it('every step is on the audit log, and the chain verifies', async () => {
    const actions = (await t.database.db.selectFrom('audit_log').select('action').where('subject', '=', requestId).orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['access.requested', 'access.email_queued', 'access.approved', 'access.email_queued', 'access.nda_accepted', 'access.downloaded', 'access.revoked']);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('staff see the grant, acceptances and downloads, and can export them as CSV', async () => {
    const page = await editor.agent.get(`/admin/access/${requestId}`).expect(200);
    expect(page.text).toContain('Pat Buyer');
    expect(page.text).toContain('revoked');
    const csv = await editor.agent.get(`/admin/access/${requestId}/export.csv`).expect(200);
    expect(csv.text).toContain('nda_accepted');
    expect(csv.text).toContain('download');
  });
});

describe('rules, expiry and leak paths', () => {
  it('auto-approves allow-listed domains and auto-denies block-listed ones', async () => {
    const approved = await requestDocs('cio@customer.example').expect(201);
    expect(approved.body.status).toBe('approved');
    const denied = await requestDocs('someone@mailinator.com').expect(201);
    expect(denied.body.status).toBe('denied');
    const decided = await t.database.db.selectFrom('access_requests').select(['decided_kind', 'decision_reason']).where('id', '=', denied.body.id).executeTakeFirstOrThrow();
    expect(decided).toEqual({ decided_kind: 'rule', decision_reason: 'Use a work email address.' });
  });

  it('an expired grant answers 410', async () => {
    const res = await requestDocs('ops@customer.example').expect(201);
    await t.app.mail.flush();
    const mail = outbox().filter((m) => /To: ops@customer\.example/.test(m.text) && /Your access/.test(m.text)).pop()!;
    const token = linkIn(mail.text);
    await request(t.app.server).get(`/access/${token}`).expect(200);
    t.clock.advance(31 * 86_400_000);
    await request(t.app.server).get(`/access/${token}`).expect(410);
    t.clock.advance(-31 * 86_400_000);
    expect(res.body.status).toBe('approved');
  });

  it('validates requests: a real email, documents that exist and are NDA-level', async () => {
    expect((await requestDocs('not-an-email').expect(400)).body.error.message).toMatch(/not an email address/);
    await requestDocs('a@contoso.example', { documents: ['ev-runbook'] }).expect(400);
    await requestDocs('a@contoso.example', { documents: ['ev-backup-test'] }).expect(400);
    await requestDocs('a@contoso.example', { documents: ['no-such'] }).expect(400);
  });

  it('a honeypot submission stores nothing', async () => {
    const before = (await t.database.db.selectFrom('access_requests').select('id').execute()).length;
    await requestDocs('bot@contoso.example', { website: 'http://spam.example' }).expect(201);
    expect((await t.database.db.selectFrom('access_requests').select('id').execute()).length).toBe(before);
  });

  it('limits requests per email address', async () => {
    for (let i = 0; i < 3; i++) await requestDocs('flood@contoso.example').expect(201);
    const limited = await requestDocs('flood@contoso.example').expect(429);
    expect(limited.body.error.message).toMatch(/Too many requests from this email/);
  });

  it('unknown tokens get the ordinary 404; no restricted file is reachable any other way', async () => {
    const unknown = await request(t.app.server).get(`/access/${'A'.repeat(43)}`).expect(404);
    expect(unknown.text).toContain('Page not found');
    await request(t.app.server).get(`/access/${'A'.repeat(43)}/documents/ev-soc2`).expect(404);
    expect([403, 404]).toContain((await request(t.app.server).get('/static/../content/evidence/files/soc2.pdf')).status);
    await request(t.app.server).get('/evidence/files/soc2.pdf').expect(404);
    await request(t.app.server).get('/content/evidence/files/soc2.pdf').expect(404);
    const api = await request(t.app.server).get('/api/v1/evidence');
    expect(api.text).not.toContain('soc2.pdf');
    const ask = await request(t.app.server).post('/api/v1/answer').send({ question: 'Break-glass runbook?' });
    expect(ask.text).not.toContain('Break-glass runbook (internal test)');
  });
});
