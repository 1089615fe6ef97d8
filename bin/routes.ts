/** Prints the role × route table (Markdown) from the routes the app actually registers. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../server/app.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-routes-'));
const database = await openDatabase({});
const app = await buildApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }), { db: database.db, databaseKind: 'pglite', clock: fixedClock(new Date()) });
await app.ready();
const rows = app.routeIndex
  .filter((r) => r.url === '/admin' || r.url.startsWith('/admin/') || r.url.startsWith('/api/v1/'))
  .sort((a, b) => (a.url === b.url ? a.method.localeCompare(b.method) : a.url.localeCompare(b.url)));
const mark = (access: string | undefined, role: string) => {
  const rank: Record<string, number> = { public: 0, viewer: 1, editor: 2, admin: 3 };
  return rank[role] >= rank[access ?? 'admin'] ? '✓' : '—';
};
process.stdout.write('| method | route | anonymous | viewer | editor | admin |\n|---|---|---|---|---|---|\n');
for (const r of rows) process.stdout.write(`| ${r.method} | \`${r.url}\` | ${mark(r.access, 'public')} | ${mark(r.access, 'viewer')} | ${mark(r.access, 'editor')} | ${mark(r.access, 'admin')} |\n`);
await app.close();
await database.close();
rmSync(dataDir, { recursive: true, force: true });
