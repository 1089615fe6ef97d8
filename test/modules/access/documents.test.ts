import { parse as parseDisposition } from 'content-disposition';
import { createHash } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessContent, NDA_TITLE } from '../../helpers/access-content.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, signIn, type SignedIn } from '../../helpers/staff.js';

// A second restricted document with a title that needs more than ASCII, and a bundle of both.
const PENTEST_TITLE = 'Résumé du test d’intrusion';
const COMPANY = 'ACME "Holdings" / R&D\\EU';

let t: TestApp;
let editor: SignedIn;
let content: Awaited<ReturnType<typeof accessContent>>;

beforeAll(async () => {
  content = await accessContent();
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]).drawText('pentest summary', { x: 50, y: 780, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  const pentest = Buffer.from(await doc.save());
  writeFileSync(path.join(content.dir, 'evidence', 'files', 'pentest.pdf'), pentest);
  content.edit('evidence/register.yaml', (text) =>
    text.replace('    collected: -30d\n    reviewBy: +300d\n    controls: [iso27002:8.13]\n    access: nda', '    issued: -32d\n    periodStart: -400d\n    periodEnd: -35d\n    version: "2.1"\n    approver: Holloway & Price LLP\n    collected: -30d\n    reviewBy: +300d\n    controls: [iso27002:8.13]\n    access: nda'),
  );
  appendFileSync(
    path.join(content.dir, 'evidence', 'register.yaml'),
    `  - id: ev-pentest
    title: ${PENTEST_TITLE}
    summary: The testers' findings by severity.
    kind: report
    owner: Compliance Office
    source: Auditor portal
    issued: -60d
    periodStart: -90d
    periodEnd: -70d
    redistribution: with-consent
    collected: -50d
    reviewBy: +300d
    controls: [iso27002:8.24]
    access: nda
    file: pentest.pdf
    sha256: ${createHash('sha256').update(pentest).digest('hex')}
bundles:
  - { id: review, title: Vendor review, description: The usual pair., documents: [ev-soc2, ev-pentest] }
`,
  );
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', PUBLIC_FORM_RATE_LIMIT: '1000', DOWNLOAD_RATE_LIMIT: '3' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

const asBuffer = (req: request.Test) =>
  req.buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });

/** Sends the request form as a browser without JavaScript would; the stored request's documents. */
async function submitForm(fields: Record<string, string | string[]>): Promise<string[]> {
  const agent = request.agent(t.app.server);
  const page = await agent.get('/access/request').expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  const email = `${Math.random().toString(36).slice(2)}@contoso.example`;
  await agent.post('/access/request').type('form').send({ _csrf: csrf, name: 'Pat Buyer', email, company: 'Contoso', reason: 'Due diligence', ...fields }).expect(200);
  const row = await t.database.db.selectFrom('access_requests').select('document_ids').where('email', '=', email).executeTakeFirstOrThrow();
  return row.document_ids as string[];
}

/** An approved grant for `documents` with the NDA accepted (unless told not to): the link token and the grant id. */
async function grant(email: string, documents: string[], { company = COMPANY, sign = true } = {}): Promise<{ token: string; grantId: string }> {
  const requested = await request(t.app.server).post('/api/v1/access-requests').send({ name: 'Pat Buyer', email, company, reason: 'Due diligence', documents }).expect(201);
  const approved = await editor.agent.post(`/api/v1/access-requests/${requested.body.id}/approve`).set('x-csrf-token', editor.csrf).send({}).expect(200);
  const dir = path.join(t.dataDir, 'outbox');
  let mail: string | undefined;
  for (let i = 0; i < 100 && !mail; i++) {
    await t.app.mail.flush();
    mail = readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')).find((m) => m.includes(`To: ${email}`) && /Your access to security documents/.test(m));
    if (!mail) await new Promise((r) => setTimeout(r, 50));
  }
  const token = /\/access\/([A-Za-z0-9_-]{43})/.exec(mail!.replace(/=\r?\n/g, ''))![1]!;
  if (sign) {
    const agent = request.agent(t.app.server);
    const page = await agent.get(`/access/${token}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await agent.post(`/access/${token}/nda`).type('form').send({ _csrf: csrf, name: 'Pat Buyer', accept: 'on' }).expect(303);
  }
  return { token, grantId: approved.body.grant.id };
}

describe('the documents page', () => {
  it('shows each document with issued date, period, version, approver, size, access and redistribution', async () => {
    const page = await request(t.app.server).get('/documents').expect(200);
    const soc2 = page.text.slice(page.text.indexOf('id="ev-soc2"'), page.text.indexOf('</li>', page.text.indexOf('id="ev-soc2"')));
    // The test clock's day is 2026-11-28 (see test/helpers/clock.ts): -32d, -400d, -35d.
    expect(soc2).toContain('<dt>Issued</dt><dd>27 Oct 2026</dd>');
    expect(soc2).toContain('<dt>Period covered</dt><dd>24 Oct 2025 – 24 Oct 2026</dd>');
    expect(soc2).toContain('<dt>Version</dt><dd>2.1</dd>');
    expect(soc2).toContain('<dt>Approved by</dt><dd>Holloway &amp; Price LLP</dd>');
    expect(soc2).toMatch(/<dt>Size<\/dt><dd>\d(\.\d)? KB PDF<\/dd>/);
    expect(soc2).toContain('<dt>Access</dt><dd>Under NDA</dd>');
    expect(soc2).toContain('<dt>Redistribution</dt><dd>not to be passed on</dd>');
    expect(page.text).toContain('share only with the issuer’s consent');
    // The public test document: its own default.
    expect(page.text.slice(page.text.indexOf('id="ev-backup-test"'))).toContain('<dt>Redistribution</dt><dd>may be shared</dd>');
    expect(page.text).toContain('<h3>Certificates and audit reports</h3>');
  });

  it('names public downloads "<Provider> – <Title>" with an ASCII fallback and the UTF-8 name', async () => {
    const res = await request(t.app.server).get('/documents/ev-backup-test/file').expect(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Acme Cloud - Backup restore test.txt"; filename*=UTF-8''Acme%20Cloud%20%E2%80%93%20Backup%20restore%20test.txt`);
  });
});

describe('the request form', () => {
  it('offers the bundle with its documents, and a link may preselect it', async () => {
    const page = await request(t.app.server).get('/access/request?bundles=review').expect(200);
    expect(page.text).toMatch(/<input type="checkbox" id="bundle-review" name="bundles" value="review" data-documents="ev-soc2 ev-pentest" checked/);
    expect(page.text).toMatch(/id="doc-ev-soc2" name="documents" value="ev-soc2" checked/);
    expect(page.text).toMatch(/id="doc-ev-pentest" name="documents" value="ev-pentest" checked/);
    expect(page.text).toContain(`The usual pair. (${NDA_TITLE}, ${PENTEST_TITLE})`);
    expect(page.text).toContain('<label for="bundle-all">All documents</label>');
  });

  it('a ticked bundle requests its documents without JavaScript; "all" requests every one; single boxes still work', async () => {
    expect(await submitForm({ bundles: 'review' })).toEqual(['ev-soc2', 'ev-pentest']);
    expect(await submitForm({ bundles: 'all' })).toEqual(['ev-soc2', 'ev-pentest']);
    expect(await submitForm({ documents: 'ev-pentest' })).toEqual(['ev-pentest']);
    // A bundle id nobody declared adds nothing: with no document the form says what to do.
    const agent = request.agent(t.app.server);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/access/request')).text)![1];
    const refused = await agent.post('/access/request').type('form').send({ _csrf: csrf, name: 'Pat', email: 'pat@contoso.example', company: 'C', reason: 'R', bundles: 'nothing' }).expect(400);
    expect(refused.text).toContain('Choose at least one document.');
  });
});

describe('granted documents as one ZIP', () => {
  it('holds exactly the granted documents, each a watermarked copy named for the recipient, each logged', async () => {
    const { token, grantId } = await grant('zip@contoso.example', ['ev-soc2', 'ev-pentest']);
    const page = await request(t.app.server).get(`/access/${token}`).expect(200);
    expect(page.text).toContain(`href="/access/${token}/documents/ev-soc2"`);
    expect(page.text).toContain(`href="/access/${token}/documents.zip"`);

    const res = await asBuffer(request(t.app.server).get(`/access/${token}/documents.zip`)).expect(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(parseDisposition(res.headers['content-disposition']!).parameters.filename).toBe('Acme Cloud – Documents – ACME Holdings R&D EU.zip');
    const entries = unzipSync(new Uint8Array(res.body as Buffer));
    expect(Object.keys(entries).sort()).toEqual([`Acme Cloud – ${PENTEST_TITLE} – ACME Holdings R&D EU.pdf`, `Acme Cloud – ${NDA_TITLE} – ACME Holdings R&D EU.pdf`].sort());
    const downloads = await t.database.db.selectFrom('document_downloads').select(['evidence_id', 'served_sha256']).where('grant_id', '=', grantId).execute();
    expect(downloads.map((d) => d.evidence_id).sort()).toEqual(['ev-pentest', 'ev-soc2']);
    for (const [name, data] of Object.entries(entries)) {
      const pdf = await PDFDocument.load(data);
      expect(pdf.getSubject(), name).toContain('Pat Buyer');
      expect(downloads.map((d) => d.served_sha256)).toContain(createHash('sha256').update(data).digest('hex'));
    }
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'access.downloaded').execute();
    expect(audit.filter((a) => (a.details as { grantId?: string }).grantId === grantId).map((a) => a.details)).toEqual([
      expect.objectContaining({ document: 'ev-soc2', via: 'zip' }),
      expect.objectContaining({ document: 'ev-pentest', via: 'zip' }),
    ]);
  });

  it('is refused as single downloads are: unknown link 404, NDA not signed 403, revoked link 410', async () => {
    await request(t.app.server).get(`/access/${'x'.repeat(43)}/documents.zip`).expect(404);
    const unsigned = await grant('unsigned@contoso.example', ['ev-soc2'], { sign: false });
    await request(t.app.server).get(`/access/${unsigned.token}/documents.zip`).set('accept', 'application/json').expect(403);
    const revoked = await grant('revoked@contoso.example', ['ev-soc2']);
    await editor.agent.post(`/api/v1/grants/${revoked.grantId}/revoke`).set('x-csrf-token', editor.csrf).send({}).expect(200);
    await request(t.app.server).get(`/access/${revoked.token}/documents.zip`).expect(410);
    const none = await t.database.db.selectFrom('document_downloads').select('id').where('grant_id', 'in', [unsigned.grantId, revoked.grantId]).execute();
    expect(none).toEqual([]);
  });

  it('counts each document against the link’s hourly allowance, with single downloads', async () => {
    const { token, grantId } = await grant('limit@contoso.example', ['ev-soc2', 'ev-pentest']);
    await asBuffer(request(t.app.server).get(`/access/${token}/documents.zip`)).expect(200); // 2 of 3
    const single = await request(t.app.server).get(`/access/${token}/documents/ev-pentest`).expect(200); // 3 of 3
    expect(parseDisposition(single.headers['content-disposition']!).parameters.filename).toBe(`Acme Cloud – ${PENTEST_TITLE} – ACME Holdings R&D EU.pdf`);
    expect(single.headers['content-disposition']).toMatch(/^attachment; filename="Acme Cloud - Resume du test d_intrusion - ACME Holdings R&D EU\.pdf"; filename\*=UTF-8''/);
    const zip = await request(t.app.server).get(`/access/${token}/documents.zip`).set('accept', 'application/json').expect(429);
    expect(zip.text).toMatch(/This link has been used for 3 downloads in the last hour, the most allowed \(this download holds 2 documents\)\. Try again in \d+ minutes?\./);
    await request(t.app.server).get(`/access/${token}/documents/ev-soc2`).set('accept', 'application/json').expect(429);
    expect(await t.database.db.selectFrom('document_downloads').select('id').where('grant_id', '=', grantId).execute()).toHaveLength(3);
    // An hour later the allowance is back.
    t.clock.advance(61 * 60_000);
    await request(t.app.server).get(`/access/${token}/documents/ev-soc2`).expect(200);
  });
});
