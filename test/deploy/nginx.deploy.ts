import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessContent } from '../helpers/access-content.js';
import { runCliAsync, startServer, type RunningServer } from '../helpers/cli.js';
import { freePort, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { buildLargestQuestionnaire } from '../helpers/workbooks.js';

/**
 * Two `evident serve` processes on one PostgreSQL database, behind nginx (round-robin), with
 * the environment docs/deploy.md describes. Everything goes through the proxy, as a browser's
 * requests would.
 */
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const database = `evident_deploy_${process.pid}`;
const databaseUrl = serverUrl.replace(/\/[^/]*$/, `/${database}`);
const work = mkdtempSync(path.join(os.tmpdir(), 'evident-deploy-'));
let content: Awaited<ReturnType<typeof accessContent>>;
let proxy: string;
let nginx: RunningNginx;
const instances: RunningServer[] = [];
let session: { cookie: string; csrf: string };

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The same for every instance: the secrets that must be equal, the database, the proxy's address. */
const env = (n: number) => ({
  NODE_ENV: 'production',
  // Its own folder per instance (another machine): the mail outbox is the only thing written there.
  DATA_DIR: path.join(work, `data-${n}`),
  DATABASE_URL: databaseUrl,
  CONTENT_DIR: content.dir,
  // Named, so the test knows which instance holds a job (its claims read "instance-N#…").
  INSTANCE_ID: `instance-${n}`,
  BASE_URL: proxy,
  TRUST_PROXY: '127.0.0.1',
  SESSION_SECRET: 'deploy-test-session-secret-0123456789abcdef',
  AUDIT_KEY: 'deploy:deploy-test-audit-key-0123456789abcdef',
  TOTP_KEY: 'de'.repeat(32),
  LOGIN_RATE_LIMIT: '6',
  // Short, so a killed instance's job is failed within seconds (60 s by default).
  JOB_LEASE_SECONDS: '3',
  LOG_LEVEL: 'warn',
});

async function waitFor(check: () => Promise<boolean>, what: string, tries = 250): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`still waiting for ${what}`);
}

/** A signed-in session through the proxy: the cookie works on whichever instance answers. */
async function signIn(email: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${proxy}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: proxy }, body: JSON.stringify({ email, password }) });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

beforeAll(async () => {
  content = await accessContent();
  await admin(`drop database if exists ${database}`);
  await admin(`create database ${database}`);
  // The instances need the proxy's address (BASE_URL) before it runs: take a port for it now.
  const proxyPort = await freePort();
  proxy = `http://127.0.0.1:${proxyPort}`;
  // Started one after the other would hide a start-up race: start both at once.
  instances.push(...(await Promise.all([startServer(env(0)), startServer(env(1))])));
  nginx = await startNginx(work, instances.map((i) => i.baseUrl.replace('http://', '')), proxyPort);
  const add = await runCliAsync(['user', 'add', '--email', 'ops@acme.example', '--role', 'editor', '--password-stdin'], { DATABASE_URL: databaseUrl, CONTENT_DIR: content.dir }, 'a long enough password\n');
  expect(add.status, add.stderr).toBe(0);
  // One sign-in for the whole file: the sign-in rate limit is part of what is tested below.
  session = await signIn('ops@acme.example', 'a long enough password');
});

afterAll(async () => {
  nginx?.stop();
  await Promise.all(instances.map((i) => i.stop('SIGKILL').catch(() => null)));
  await admin(`drop database if exists ${database} with (force)`).catch(() => {});
  content?.remove();
  rmSync(work, { recursive: true, force: true });
});

describe('two instances behind nginx on one PostgreSQL database', () => {
  it('both start together on a fresh database; both are ready', async () => {
    for (const instance of instances) expect((await fetch(`${instance.baseUrl}/readyz`)).status).toBe(200);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query('select count(*)::int as n from content_revisions');
    await client.end();
    expect(rows[0].n).toBe(1);
  });

  it('a questionnaire uploaded through the proxy is answered and read back through it, whichever instance answers', async () => {
    const { cookie, csrf } = session;
    const form = new FormData();
    form.set('file', new Blob(['ID,Question\nQ1,Do you back up customer data?\nQ2,Is data encrypted at rest?\n']), 'q.csv');
    const upload = await fetch(`${proxy}/api/v1/questionnaires`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf }, body: form });
    expect(upload.status).toBe(201);
    const { id } = (await upload.json()) as { id: string };
    await waitFor(async () => ((await (await fetch(`${proxy}/api/v1/questionnaires/${id}`, { headers: { cookie } })).json()) as { status: string }).status === 'ready', 'the questionnaire to be answered', 1000);
    for (let i = 0; i < 4; i++) {
      const read = (await (await fetch(`${proxy}/api/v1/questionnaires/${id}`, { headers: { cookie } })).json()) as { questions: unknown[] };
      expect(read.questions).toHaveLength(2);
    }
  });

  it('a content sync (CLI) shows on every instance without restarting them', async () => {
    // Each instance renders the page first, so it holds it in memory: only a change notice can refresh it.
    for (const instance of instances) expect(await (await fetch(`${instance.baseUrl}/`)).text()).toContain('A tiny provider used by the tests.');
    content.edit('provider.yaml', (text) => text.replace('A tiny provider used by the tests.', 'A tiny provider, synced once for all instances.'));
    const sync = await runCliAsync(['content', 'sync'], { DATABASE_URL: databaseUrl, CONTENT_DIR: content.dir });
    expect(sync.status, sync.stderr).toBe(0);
    for (const instance of instances) {
      await waitFor(async () => (await (await fetch(`${instance.baseUrl}/`)).text()).includes('synced once for all instances'), `${instance.baseUrl} to show the sync`);
    }
  });

  it('documents requested through the proxy, approved on B, the NDA accepted and the file downloaded on A', async () => {
    const [a, b] = instances;
    const asked = await fetch(`${proxy}/api/v1/access-requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Pat Buyer', email: 'pat@contoso.example', company: 'Contoso Bank', reason: 'Vendor due diligence', documents: ['ev-soc2'] }) });
    expect(asked.status).toBe(201);
    const { id } = (await asked.json()) as { id: string };
    const approved = await fetch(`${b.baseUrl}/api/v1/access-requests/${id}/approve`, { method: 'POST', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ expiresInDays: 14 }) });
    expect(approved.status).toBe(200);
    // Whichever instance delivered it wrote the message to its own outbox.
    let token = '';
    await waitFor(async () => {
      const mails = [0, 1].flatMap((n) => {
        const dir = path.join(work, `data-${n}`, 'outbox');
        try {
          return readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8'));
        } catch {
          return [];
        }
      });
      const grant = mails.map((m) => m.replace(/=\r?\n/g, '')).find((m) => /Your access to security documents/.test(m));
      token = grant ? /\/access\/([A-Za-z0-9_-]{43})/.exec(grant)![1] : '';
      return Boolean(token);
    }, 'the grant e-mail', 1000);
    const page = await fetch(`${a.baseUrl}/access/${token}`);
    expect(page.status).toBe(200);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const accepted = await fetch(`${a.baseUrl}/access/${token}/nda`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, name: 'Pat Buyer', accept: 'on' }) });
    expect(accepted.status).toBe(303);
    const file = await fetch(`${a.baseUrl}/access/${token}/documents/ev-soc2`, { headers: { cookie } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('application/pdf');
  });

  it('the sign-in rate limit counts across both instances', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 7; n++) {
      const res = await fetch(`${proxy}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: proxy }, body: JSON.stringify({ email: `nobody${n}@example.com`, password: 'wrong password' }) });
      statuses.push(res.status);
    }
    // Six a minute from this address (one sign-in above counts too): round-robin would allow twelve per-process.
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('a job on an instance that is killed (SIGKILL) is not lost: another instance marks it and its questionnaire failed', async () => {
    const { cookie, csrf } = session;
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(buildLargestQuestionnaire(5_000))]), 'large.xlsx');
    // Straight to an instance (nginx here buffers no body this large); which instance runs it is the queue's choice.
    const upload = await fetch(`${instances[1].baseUrl}/api/v1/questionnaires`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, origin: proxy }, body: form });
    expect(upload.status, await upload.clone().text()).toBe(201);
    const { id, jobId } = (await upload.json()) as { id: string; jobId: string };
    const job = async () => (await (await fetch(`${proxy}/api/v1/jobs/${jobId}`, { headers: { cookie } })).json()) as { state: string; error: string | null };
    await waitFor(async () => (await job()).state === 'running', 'the job to run', 1000);
    // Whichever instance took the job from the shared queue is the one killed.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ locked_by: string }>('select locked_by from jobs where id = $1', [jobId]);
    await client.end();
    const victim = Number(/^instance-(\d+)#/.exec(rows[0].locked_by)![1]);
    await instances[victim].stop('SIGKILL');
    instances.splice(victim, 1);
    await waitFor(async () => (await job()).state === 'failed', 'the surviving instance to fail the job', 1000);
    expect((await job()).error).toMatch(/Interrupted/);
    const questionnaire = (await (await fetch(`${proxy}/api/v1/questionnaires/${id}`, { headers: { cookie } })).json()) as { status: string };
    expect(questionnaire.status).toBe('failed');
  });

  it('SIGTERM to one instance under load: no idempotent request fails, the other keeps serving', async () => {
    // Another instance joins first (the previous test killed one), as a rolling restart would.
    instances.push(await startServer(env(2)));
    nginx.stop();
    nginx = await startNginx(work, instances.map((i) => i.baseUrl.replace('http://', '')), Number(new URL(proxy).port));
    const [first, second] = instances;
    const results: number[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const batch = await Promise.all(Array.from({ length: 4 }, () => fetch(`${proxy}/`).then((r) => r.status, () => 0)));
        results.push(...batch);
      }
    })();
    await waitFor(async () => results.length >= 20, 'some load');
    const exit = await first.stop('SIGTERM');
    const before = results.length;
    await waitFor(async () => results.length >= before + 40, 'load after the stop');
    stop = true;
    await load;
    expect(exit).toBe(0);
    expect(results.filter((s) => s !== 200)).toEqual([]);
    expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
  });
});
