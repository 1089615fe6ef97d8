import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, evidentBin, runCliAsync, startServer } from '../helpers/cli.js';
import { cliDatabase } from '../helpers/cli-database.js';
import { minimalContentDir } from '../helpers/content-fixture.js';
import { buildRealisticWorkbook } from '../helpers/workbooks.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [evidentBin, ...args], { env: cliEnv(env), stdio: 'ignore' });
  cleanups.push(() => void child.kill('SIGKILL'));
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('killed mid-write (SIGKILL), the database stays consistent', () => {
  it('a content sync either happened or did not', async () => {
    const db = await cliDatabase();
    cleanups.push(() => db.cleanup());
    const env = { ...db.env, CONTENT_DIR: minimalContentDir };
    const marker = path.join(db.env.DATA_DIR, 'fault-content-sync');
    const child = start(['content', 'sync'], { ...env, EVIDENT_FAULT_PAUSE: 'content-sync' });
    await waitFor(() => existsSync(marker), 'the sync to reach its fault point');
    await kill(child);
    // After the crash the next sync finds nothing half-stored: it inserts everything, as on a fresh database.
    const after = await runCliAsync(['content', 'sync'], env);
    expect(after.status, after.stderr).toBe(0);
    const report = JSON.parse(after.stdout) as { revision: number; changes: { inserted: number; updated: number } };
    expect(report.changes.updated).toBe(0);
    expect(report.revision).toBe(1);
    expect(report.changes.inserted).toBeGreaterThan(10);
  }, 300_000);

  it('a questionnaire upload leaves no half questionnaire: after restart it is marked failed, with no items', async () => {
    const db = await cliDatabase();
    cleanups.push(() => db.cleanup());
    const env = { ...db.env, CONTENT_DIR: minimalContentDir };
    await runCliAsync(['user', 'add', '--email', 'ed@provider.example', '--role', 'editor', '--password-stdin'], env, 'editor password 123\n');
    const token = (await runCliAsync(['token', 'create', '--email', 'ed@provider.example', '--name', 'test'], env)).stdout.trim();
    const first = await startServer({ ...env, EVIDENT_FAULT_PAUSE: 'questionnaire-items' });
    cleanups.push(() => void first.child.kill('SIGKILL'));
    const server = first.child;
    let base = first.baseUrl;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await buildRealisticWorkbook())]), 'vendor.xlsx');
    void fetch(`${base}/api/v1/questionnaires`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form }).catch(() => {});
    await waitFor(() => existsSync(path.join(db.env.DATA_DIR, 'fault-questionnaire-items')), 'the upload to reach its fault point');
    await kill(server);

    const again = await startServer({ ...env, EVIDENT_JOB_HEARTBEAT: '1' });
    cleanups.push(() => void again.child.kill('SIGKILL'));
    const restarted = again.child;
    base = again.baseUrl;
    const listed = async () => (await (await fetch(`${base}/api/v1/questionnaires`, { headers: { authorization: `Bearer ${token}` } })).json()) as { questionnaires: { id: string; status: string }[] };
    // The embedded database fails it at start-up; a server once the killed instance's lease lapses.
    await waitFor(async () => (await listed()).questionnaires[0]?.status === 'failed', 'the interrupted questionnaire to be marked failed');
    const list = await listed();
    expect(list.questionnaires).toHaveLength(1);
    expect(list.questionnaires[0].status).toBe('failed');
    const detail = (await (await fetch(`${base}/api/v1/questionnaires/${list.questionnaires[0].id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { questions: unknown[]; error: string };
    expect(detail.questions).toEqual([]);
    expect(detail.error).toMatch(/interrupted/);
    await kill(restarted);
  }, 300_000);
});
