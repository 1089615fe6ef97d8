import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { copyContent, minimalContentDir } from '../helpers/content-fixture.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((f) => f()));

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evident-cli-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('evident content check', () => {
  it('exits 0 on valid content and prints the summary on stderr, nothing on stdout', () => {
    const result = runCli(['content', 'check'], { CONTENT_DIR: minimalContentDir });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('content check: 0 error(s), 0 warning(s) — 2 controls, 2 services');
  });

  it('exits 1 with file-and-line messages on broken content', () => {
    const copy = copyContent();
    cleanup.push(copy.remove);
    copy.edit('services.yaml', (t) => t.replace('model: PaaS', 'model: Serverless'));
    const result = runCli(['content', 'check'], { CONTENT_DIR: copy.dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('services.yaml:9: error: service "db": "model" must be one of IaaS, PaaS, SaaS');
  });

  it('warnings pass, unless --strict', () => {
    const copy = copyContent();
    cleanup.push(copy.remove);
    copy.edit('evidence/register.yaml', (t) => t.replace('reviewBy: +60d', 'reviewBy: -1d'));
    expect(runCli(['content', 'check'], { CONTENT_DIR: copy.dir }).status).toBe(0);
    const strict = runCli(['content', 'check', '--strict'], { CONTENT_DIR: copy.dir });
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/warning: evidence ev-backup-test is stale/);
  });
});

describe('evident content sync', () => {
  // The PGlite data folder is what these exercise: on a PostgreSQL run they are reported as skipped.
  it.skipIf(Boolean(process.env.DATABASE_URL))('works on a fresh data folder, prints JSON on stdout, and is idempotent', () => {
    const dataDir = tempDataDir();
    const env = { CONTENT_DIR: minimalContentDir, DATA_DIR: dataDir };
    const first = runCli(['content', 'sync'], env);
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ revision: 1, changes: { deleted: 0, updated: 0 } });
    const second = runCli(['content', 'sync'], env);
    expect(JSON.parse(second.stdout)).toMatchObject({ revision: null, changes: { inserted: 0, updated: 0, deleted: 0 } });
  });

  it.skipIf(Boolean(process.env.DATABASE_URL))('exits 2 with advice when another live process holds the data folder, and takes over a dead lock', () => {
    const dataDir = tempDataDir();
    writeFileSync(path.join(dataDir, 'evident.lock'), `${process.pid}\n`);
    const busy = runCli(['migrate'], { CONTENT_DIR: minimalContentDir, DATA_DIR: dataDir });
    expect(busy.status).toBe(2);
    expect(busy.stderr).toContain(`is in use by process ${process.pid}`);
    expect(busy.stderr).toContain('Stop that process');

    writeFileSync(path.join(dataDir, 'evident.lock'), '999999\n');
    expect(runCli(['migrate'], { CONTENT_DIR: minimalContentDir, DATA_DIR: dataDir }).status).toBe(0);
  });

  it('rejects a bad --prefer value before it opens the database', () => {
    const result = runCli(['content', 'sync', '--prefer', 'mine'], { CONTENT_DIR: minimalContentDir, DATA_DIR: tempDataDir() });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/argument 'mine' is invalid\. Allowed choices are content, database/);
  });
});
