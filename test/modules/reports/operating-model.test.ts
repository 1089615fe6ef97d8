import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import ExcelJS from 'exceljs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../server/config.js';
import { testDatabaseUrl } from '../../helpers/database.js';
import { freshnessOf } from '../../../server/modules/evidence/freshness.js';
import { syncContent } from '../../../server/modules/content/service.js';
import { uploadedEvidencePath } from '../../../server/modules/evidence/files.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { copyContent } from '../../helpers/content-fixture.js';
import { makeStaff, makeToken, signIn, type SignedIn } from '../../helpers/staff.js';

/*
 * A two-control, two-service fixture: iso27002:8.13 is the customer's on the VM service and ours
 * on the database service (with current public evidence); iso27002:8.24 is shared on VMs and ours
 * on the database, backed only by a stale NDA item and an internal one.
 */
const content = copyContent();
content.edit('evidence/register.yaml', (t) =>
  t.replace(
    /\s*sha256: .*/,
    '',
  ) +
    `  - id: ev-kms-config
    title: Key service configuration export
    summary: Key rotation settings of the storage encryption keys.
    kind: configuration
    owner: Security Engineering
    source: Key management service
    collected: -400d
    reviewBy: -5d
    controls: [iso27002:8.24]
    access: nda
    file: kms-config.pdf
  - id: ev-kms-internal
    title: Internal key ceremony record
    summary: Minutes of the last key ceremony.
    kind: log-sample
    owner: Security Engineering
    source: Ticketing
    collected: -10d
    reviewBy: +20d
    controls: [iso27002:8.24]
    access: internal
`,
);
writeFileSync(path.join(content.dir, 'evidence/files/kms-config.pdf'), '%PDF-1.4\n% key rotation export\n%%EOF\n');
content.edit('responsibility/technological.yaml', (t) => t.replace(/evidence: \[\]/g, 'evidence: [ev-kms-config, ev-kms-internal]'));

let t: TestApp;
let editor: SignedIn;
let viewer: SignedIn;
let viewerToken: string;

beforeAll(async () => {
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000' } });
  editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  const viewerUser = await makeStaff(t.database.db, t.clock, 'viewer');
  viewer = await signIn(t.app, viewerUser.email);
  viewerToken = await makeToken(t.database.db, t.clock, viewerUser.email);
});
afterAll(async () => {
  await t.close();
  content.remove();
});

describe('freshness', () => {
  it('is current beyond the window, expiring inside it (today and day 30 included), stale after the review-by date', () => {
    expect(freshnessOf('2026-12-29', '2026-11-28', 30)).toBe('current');
    expect(freshnessOf('2026-12-28', '2026-11-28', 30)).toBe('expiring');
    expect(freshnessOf('2026-11-28', '2026-11-28', 30)).toBe('expiring');
    expect(freshnessOf('2026-11-27', '2026-11-28', 30)).toBe('stale');
    expect(freshnessOf('2026-12-05', '2026-11-28', 5)).toBe('current');
  });
});

describe('Statement of Applicability', () => {
  it('shows a control with mixed responsibilities per service, its status from evidence, and its evidence with freshness', async () => {
    const res = await viewer.agent.get('/api/v1/soa').expect(200);
    const backups = res.body.soa.find((r: { control: string }) => r.control === 'iso27002:8.13');
    expect(backups).toMatchObject({ applicable: true, status: 'implemented', responsibility: { vm: 'customer', db: 'provider' } });
    expect(backups.evidence).toEqual([{ id: 'ev-backup-test', title: 'Backup restore test', freshness: 'current' }]);
    const crypto = res.body.soa.find((r: { control: string }) => r.control === 'iso27002:8.24');
    // Our part rests on a stale item and an internal one that is expiring but still current: implemented.
    expect(crypto).toMatchObject({ status: 'implemented', responsibility: { vm: 'shared', db: 'provider' } });
    expect(crypto.evidence.map((e: { id: string; freshness: string }) => `${e.id}:${e.freshness}`).sort()).toEqual(['ev-kms-config:stale', 'ev-kms-internal:expiring']);
  });

  it('turns partially implemented when the only current evidence goes stale', async () => {
    t.clock.set('2026-12-20T12:00:00Z');
    try {
      // Sessions would have expired by then; the API token has not.
      const res = await request(t.app.server).get('/api/v1/soa').set('authorization', `Bearer ${viewerToken}`).expect(200);
      expect(res.body.soa.find((r: { control: string }) => r.control === 'iso27002:8.24').status).toBe('partially implemented');
    } finally {
      t.clock.set('2026-11-28T12:00:00Z');
    }
  });

  it('downloads as CSV and as an XLSX workbook with one row per control', async () => {
    const csv = await viewer.agent.get('/api/v1/soa.csv').expect(200).expect('content-type', /text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('control,title,applicable,justification,status,responsibility: vm,responsibility: db,27017 guidance,evidence (freshness)');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('iso27002:8.13'))).toContain('customer,provider');

    const xlsx = await viewer.agent.get('/api/v1/soa.xlsx').buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body);
    const ws = wb.getWorksheet('Statement of Applicability')!;
    expect(ws.getRow(2).getCell(1).value).toBe('control');
    const controls = [3, 4].map((r) => ws.getRow(r).getCell(1).value);
    expect(controls.sort()).toEqual(['iso27002:8.13', 'iso27002:8.24']);
  });

  it('is for staff only', async () => {
    await request(t.app.server).get('/api/v1/soa.csv').expect(401);
    await request(t.app.server).get('/api/v1/soa.xlsx').expect(401);
    const page = await request(t.app.server).get('/admin/soa').expect(303);
    expect(page.headers.location).toContain('/admin/login');
    const html = await viewer.agent.get('/admin/soa?status=implemented').expect(200);
    expect(html.text).toContain('iso27002:8.13');
  });
});

describe('gap report', () => {
  it('lists our duties without current evidence first, then stale and expiring evidence, each with owner and next step', async () => {
    t.clock.set('2026-12-20T12:00:00Z');
    try {
      const res = await request(t.app.server).get('/api/v1/gaps').set('authorization', `Bearer ${viewerToken}`).expect(200);
      const gaps = res.body.gaps as { severity: string; kind: string; control: string | null; service: string | null; evidence: string | null; owner: string; nextStep: string }[];
      expect(gaps.map((g) => `${g.severity} ${g.kind} ${g.control ?? g.evidence}${g.service ? ` ${g.service}` : ''}`)).toEqual([
        'high no-current-evidence iso27002:8.24 vm',
        'high no-current-evidence iso27002:8.24 db',
        'medium stale-evidence ev-kms-config',
        'medium stale-evidence ev-kms-internal',
      ]);
      expect(gaps.every((g) => g.owner && g.nextStep)).toBe(true);
    } finally {
      t.clock.set('2026-11-28T12:00:00Z');
    }
  });

  it('flags a shared duty whose customer part was emptied and a duty with no owner', async () => {
    const db = t.database.db;
    const where = (q: any) => q.where('control_id', '=', 'iso27002:8.13').where('service_id', '=', 'vm');
    await where(db.updateTable('responsibilities').set({ customer_duty: null, owner: null })).execute();
    try {
      const gaps = (await viewer.agent.get('/api/v1/gaps').expect(200)).body.gaps as { severity: string; kind: string; control: string; service: string }[];
      const mine = gaps.filter((g) => g.control === 'iso27002:8.13' && g.service === 'vm').map((g) => `${g.severity} ${g.kind}`);
      expect(mine).toEqual(['high no-customer-duty', 'medium no-owner']);
    } finally {
      await where(db.updateTable('responsibilities').set({ customer_duty: 'Schedules snapshots of every volume and tests a restore each quarter.', owner: 'Platform Operations' })).execute();
    }
  });

  it('is for staff only, and the page filters by owner', async () => {
    await request(t.app.server).get('/api/v1/gaps').expect(401);
    const page = await viewer.agent.get('/admin/gaps?owner=Security%20Engineering').expect(200);
    expect(page.text).toContain('Key service configuration export passed its review-by date');
    expect(page.text).not.toContain('Database Engineering</td>');
  });
});

describe('public API respects access levels', () => {
  it('anonymous callers see public evidence only, never the ids or titles of restricted items', async () => {
    const res = await request(t.app.server).get('/api/v1/evidence').expect(200);
    expect(res.body.evidence.map((e: { id: string }) => e.id)).toEqual(['ev-backup-test']);
    expect(res.body.evidence[0]).not.toHaveProperty('sha256');
    for (const url of ['/api/v1/controls/iso27002:8.24', '/api/v1/responsibilities?control=iso27002:8.24', '/api/v1/oscal/component-definition.json']) {
      const body = (await request(t.app.server).get(url).expect(200)).text;
      expect(body, url).not.toContain('ev-kms');
      expect(body, url).not.toContain('Key service configuration export');
      expect(body, url).not.toContain('key ceremony');
    }
  });

  it('staff see the whole register with owners and hashes', async () => {
    const res = await viewer.agent.get('/api/v1/evidence').expect(200);
    expect(res.body.evidence.map((e: { id: string }) => e.id).sort()).toEqual(['ev-backup-test', 'ev-kms-config', 'ev-kms-internal']);
    expect(res.body.evidence.find((e: { id: string }) => e.id === 'ev-kms-config')).toMatchObject({ access: 'nda', freshness: 'stale', owner: 'Security Engineering' });
    const control = await viewer.agent.get('/api/v1/controls/iso27002:8.24').expect(200);
    expect(control.body.control.responsibilities.find((r: { service: string }) => r.service === 'vm').evidence).toHaveLength(2);
  });

  it('filters the matrix by service, control and party, and explains bad filters', async () => {
    const res = await request(t.app.server).get('/api/v1/responsibilities?service=vm&party=customer').expect(200);
    expect(res.body.responsibilities.map((r: { control: string }) => r.control)).toEqual(['iso27002:8.13']);
    expect(res.body.responsibilities[0].customer).toContain('tests a restore each quarter');
    const all = await request(t.app.server).get('/api/v1/responsibilities?control=iso27002:8.24').expect(200);
    expect(all.body.responsibilities.map((r: { service: string; party: string }) => `${r.service}:${r.party}`)).toEqual(['vm:shared', 'db:provider']);
    expect((await request(t.app.server).get('/api/v1/responsibilities?party=nobody').expect(400)).body.error.message).toMatch(/party must be one of/);
    expect((await request(t.app.server).get('/api/v1/responsibilities?service=mainframe').expect(400)).body.error.message).toMatch(/Unknown service "mainframe"/);
    expect((await request(t.app.server).get('/api/v1/controls/iso27002:9.99').expect(404)).body.error.message).toMatch(/No control/);
    const services = await request(t.app.server).get('/api/v1/services').expect(200);
    expect(services.body.services.map((s: { id: string; model: string }) => `${s.id}:${s.model}`)).toEqual(['vm:IaaS', 'db:PaaS']);
  });
});

describe('OSCAL component definition', () => {
  const schema = JSON.parse(readFileSync(path.join(projectRoot, 'test/fixtures/oscal/oscal_component_schema-1.0.6.json'), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('validates against the official OSCAL 1.0.6 schema, one component per service with provider and customer statements', async () => {
    const res = await request(t.app.server).get('/api/v1/oscal/component-definition.json').expect(200);
    const doc = JSON.parse(res.text);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const components = doc['component-definition'].components;
    expect(components.map((c: { title: string }) => c.title)).toEqual(['Acme VMs', 'Acme DB']);
    const vm = components[0]['control-implementations'].flatMap((ci: { 'implemented-requirements': unknown[] }) => ci['implemented-requirements']);
    const shared = vm.find((r: { 'control-id': string }) => r['control-id'] === 'iso27002-8.24');
    expect(shared['responsible-roles'].map((r: { 'role-id': string }) => r['role-id'])).toEqual(['provider', 'customer']);
    expect(shared.statements.map((s: { 'responsible-roles': { 'role-id': string }[] }) => s['responsible-roles'][0]['role-id'])).toEqual(['provider', 'customer']);
    // Same content, same document: UUIDs are derived, not random.
    const again = await request(t.app.server).get('/api/v1/oscal/component-definition.json').expect(200);
    expect(again.text).toBe(res.text);
  });

  it('validates on the full demo provider too', async () => {
    const demo = await createTestApp();
    try {
      const res = await request(demo.app.server).get('/api/v1/oscal/component-definition.json').expect(200);
      const doc = JSON.parse(res.text);
      expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
      expect(doc['component-definition'].components.length).toBeGreaterThanOrEqual(3);
    } finally {
      await demo.close();
    }
  });
});

describe('evidence versions', () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

  it('an editor uploads a new version: it becomes current, earlier versions keep their hashes, the audit log records it', async () => {
    const res = await editor.agent
      .post('/api/v1/evidence/ev-backup-test/versions')
      .set('x-csrf-token', editor.csrf)
      .field('reviewBy', '2027-06-30')
      .attach('file', Buffer.from('restore test Q4: 41 of 41 databases restored\n'), 'backup-test-q4.txt')
      .expect(201);
    expect(res.body).toMatchObject({ version: 2, mediaType: 'text/plain' });
    // Embedded: a file in DATA_DIR; PostgreSQL: a row every instance reads.
    if (testDatabaseUrl) expect(await t.database.db.selectFrom('evidence_files').select(['sha256', 'size']).where('sha256', '=', res.body.sha256).execute()).toEqual([{ sha256: res.body.sha256, size: 45 }]);
    expect(existsSync(uploadedEvidencePath(t.dataDir, res.body.sha256))).toBe(!testDatabaseUrl);
    const versions = (await viewer.agent.get('/api/v1/evidence/ev-backup-test/versions').expect(200)).body.versions;
    expect(versions.map((v: { version: number; origin: string }) => `${v.version}:${v.origin}`)).toEqual(['2:upload', '1:content']);
    expect(versions[1].sha256).toBe('27bbcf1a79eda92cf7023a0d11be0bb657fe5a7980812e7c28d2075aa532a4a6');
    // The public file is now the uploaded one.
    const file = await request(t.app.server).get('/documents/ev-backup-test/file').expect(200);
    expect(file.text).toContain('41 of 41 databases restored');
    const evidence = (await viewer.agent.get('/api/v1/evidence').expect(200)).body.evidence.find((e: { id: string }) => e.id === 'ev-backup-test');
    expect(evidence).toMatchObject({ reviewBy: '2027-06-30', storage: 'upload', collected: '2026-11-28' });
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'subject']).where('action', '=', 'evidence.version_uploaded').execute();
    expect(audit).toEqual([{ action: 'evidence.version_uploaded', subject: 'evidence:ev-backup-test' }]);
  });

  it('the upload wins until the content file changes; then the content file takes over and the sync says so once', async () => {
    const unchanged = await syncContent(t.database.db, content.dir, t.clock);
    expect(unchanged.conflicts).toEqual([]);
    expect(unchanged.notices).toEqual([]);
    expect((await request(t.app.server).get('/documents/ev-backup-test/file').expect(200)).text).toContain('41 of 41');

    // A metadata change alone keeps the uploaded file.
    content.edit('evidence/register.yaml', (text) => text.replace('title: Backup restore test', 'title: Quarterly backup restore test'));
    const metadata = await syncContent(t.database.db, content.dir, t.clock);
    expect(metadata.notices).toEqual([]);
    expect(metadata.conflicts).toEqual([]);
    expect((await request(t.app.server).get('/documents/ev-backup-test/file').expect(200)).text).toContain('41 of 41');
    expect((await request(t.app.server).get('/api/v1/evidence').expect(200)).body.evidence[0].title).toBe('Quarterly backup restore test');

    writeFileSync(path.join(content.dir, 'evidence/files/backup-test.txt'), 'restore test from the content repository\n');
    const changed = await syncContent(t.database.db, content.dir, t.clock);
    expect(changed.conflicts).toEqual([]);
    expect(changed.notices).toEqual([expect.stringMatching(/^evidence ev-backup-test: backup-test.txt changed in content and replaces the version uploaded by staff/)]);
    expect((await request(t.app.server).get('/documents/ev-backup-test/file').expect(200)).text).toContain('from the content repository');
    const versions = (await viewer.agent.get('/api/v1/evidence/ev-backup-test/versions').expect(200)).body.versions;
    expect(versions.map((v: { version: number; origin: string }) => `${v.version}:${v.origin}`)).toEqual(['3:content', '2:upload', '1:content']);

    const again = await syncContent(t.database.db, content.dir, t.clock);
    expect(again.notices).toEqual([]);
    expect(again.conflicts).toEqual([]);
  });

  it('refuses a file whose contents do not match its name, an empty file, a viewer, and a missing CSRF token; nothing is stored', async () => {
    const before = await t.database.db.selectFrom('evidence_versions').select('id').execute();
    const bad = await editor.agent.post('/api/v1/evidence/ev-kms-config/versions').set('x-csrf-token', editor.csrf).attach('file', Buffer.from('MZ\x90\x00 not a pdf'), 'report.pdf').expect(415);
    expect(bad.body.error.message).toMatch(/does not look like a application\/pdf file/);
    await editor.agent.post('/api/v1/evidence/ev-kms-config/versions').set('x-csrf-token', editor.csrf).attach('file', Buffer.from('x'), 'tool.exe').expect(415);
    await editor.agent.post('/api/v1/evidence/ev-kms-config/versions').set('x-csrf-token', editor.csrf).field('reviewBy', '2020-01-01').attach('file', pdf, 'report.pdf').expect(400);
    await editor.agent.post('/api/v1/evidence/nope/versions').set('x-csrf-token', editor.csrf).attach('file', pdf, 'report.pdf').expect(404);
    await viewer.agent.post('/api/v1/evidence/ev-kms-config/versions').set('x-csrf-token', viewer.csrf).attach('file', pdf, 'report.pdf').expect(403);
    await editor.agent.post('/api/v1/evidence/ev-kms-config/versions').attach('file', pdf, 'report.pdf').expect(403);
    expect(await t.database.db.selectFrom('evidence_versions').select('id').execute()).toHaveLength(before.length);
  });

  it('works from the staff page form without JavaScript', async () => {
    const page = await editor.agent.get('/admin/evidence/ev-kms-config').expect(200);
    // The form posts to a URL without a token; the token is its first field, read before the file.
    const form = /<form method="post" action="([^"]+\/versions)" enctype="multipart\/form-data"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)">/.exec(page.text);
    expect(form).not.toBeNull();
    const res = await editor.agent.post(form![1]).field('_csrf', form![2]).attach('file', pdf, 'kms-export.pdf').expect(303);
    expect(res.headers.location).toBe('/admin/evidence/ev-kms-config?uploaded=2');
    const shown = await editor.agent.get(res.headers.location).expect(200);
    expect(shown.text).toContain('Version 2 uploaded');
    expect(shown.text).toContain('kms-export.pdf');
  });
});

describe('staff pages', () => {
  it('the dashboard draws freshness by theme and by control as SVG with the numbers in a table, and coverage per service', async () => {
    const page = await viewer.agent.get('/admin').expect(200);
    expect(page.text).toContain('<svg class="chart"');
    expect(page.text).toMatch(/aria-label="Evidence freshness by control theme"/);
    expect(page.text).toMatch(/aria-label="[^"]*8\.13 [^"]*: current"/);
    expect(page.text).toContain('Responsibility matrix coverage per service');
    expect(page.text).toMatch(/Acme DB<\/a>[\s\S]*?2 \/ 2/);
  });

  it('the evidence register, the matrix and the SoA render for a viewer', async () => {
    expect((await viewer.agent.get('/admin/evidence?freshness=stale').expect(200)).text).toContain('Key service configuration export');
    const matrix = await viewer.agent.get('/admin/responsibility?service=vm').expect(200);
    expect(matrix.text).toContain('Encrypts data inside the guest');
    expect((await viewer.agent.get('/admin/soa').expect(200)).text).toContain('Download XLSX');
    await viewer.agent.get('/admin/responsibility?service=nope').expect(404);
  });
});

function binary(res: any, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
