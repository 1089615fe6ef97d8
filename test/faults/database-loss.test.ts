import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { openDatabase, type OpenDatabase } from '../../server/db/connect.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { syncContent } from '../../server/modules/content/service.js';
import { adjustableClock } from '../helpers/clock.js';
import { minimalContentDir } from '../helpers/content-fixture.js';
import { required } from '../helpers/requirements.js';

// A throw-away PostgreSQL cluster of this test's own, on a spare port: the shared server is never stopped.
const bin = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].find((d) => existsSync(path.join(d, 'initdb')));
const canRun = required('initdb', Boolean(bin), 'install the PostgreSQL server package (postgresql-15 or newer)') && required('root', process.getuid?.() === 0, 'run the suite as root (it starts a cluster as the postgres user)');

let dir = '';
let port = 0;
const asPostgres = (args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe', timeout: 60_000 });
const pgCtl = (action: string, extra: string[] = []) => asPostgres([path.join(bin!, 'pg_ctl'), action, '-D', path.join(dir, 'data'), '-w', '-t', '30', ...extra]);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
}

let database: OpenDatabase;

beforeAll(async () => {
  if (!canRun) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'evident-pgloss-'));
  chmodSync(dir, 0o777);
  port = await freePort();
  asPostgres([path.join(bin!, 'initdb'), '-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  pgCtl('start', ['-o', `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`, '-l', path.join(dir, 'log')]);
  database = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, poolSize: 4 });
  await migrateToLatest(database.db);
}, 120_000);

afterAll(async () => {
  if (!canRun) return;
  await database?.close();
  try {
    pgCtl('stop', ['-m', 'immediate']);
  } catch {
    // already stopped
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(canRun)('losing the PostgreSQL server while the app runs', () => {
  it('answers 503 with a clear page and JSON, /healthz says so, and recovers by itself when the server returns', async () => {
    const clock = adjustableClock('2026-11-28T12:00:00Z');
    await syncContent(database.db, minimalContentDir, clock);
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'evident-pgloss-data-')), CONTENT_DIR: minimalContentDir });
    const app = await buildApp(config, { db: database.db, databaseKind: 'postgres', clock });
    await app.ready();
    try {
      await request(app.server).get('/healthz').expect(200);
      await request(app.server).get('/api/v1/services').expect((r) => expect([200, 404]).toContain(r.status));

      pgCtl('stop', ['-m', 'immediate']);
      const health = await request(app.server).get('/healthz').expect(503);
      expect(health.body).toMatchObject({ status: 'unavailable', database: 'postgres' });
      const api = await request(app.server).get('/api/v1/evidence').expect(503);
      expect(api.body.error.message).toMatch(/database is unreachable/);
      // What the trust page already holds in memory keeps answering (see trust-page/cache.test.ts).
      await request(app.server).get('/api/v1/services').expect(200);
      const page = await request(app.server).get('/controls/iso27002%3A5.1').set('accept', 'text/html').expect(503);
      expect(page.text).toContain('Temporarily unavailable');

      pgCtl('start', ['-o', `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`, '-l', path.join(dir, 'log')]);
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await request(app.server).get('/healthz')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      await request(app.server).get('/api/v1/trust').expect(200);
    } finally {
      await app.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
