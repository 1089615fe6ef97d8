/**
 * Prints the role × route table (Markdown) from the routes the app actually registers; with
 * --write, replaces the table in README.md between its routes:start / routes:end markers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../server/app.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig, projectRoot } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { roleRouteTable } from '../server/lib/route-table.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-routes-'));
const database = await openDatabase({});
const app = await buildApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }), { db: database.db, databaseKind: 'pglite', clock: fixedClock(new Date()) });
await app.ready();
const table = roleRouteTable(app.routeIndex);
if (process.argv.includes('--write')) {
  const readme = path.join(projectRoot, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const updated = text.replace(/(<!-- routes:start -->\n)[\s\S]*?(\n<!-- routes:end -->)/, `$1${table}$2`);
  writeFileSync(readme, updated);
  process.stderr.write(updated === text ? 'README.md: route table unchanged\n' : 'README.md: route table updated\n');
} else process.stdout.write(`${table}\n`);
await app.close();
await database.close();
rmSync(dataDir, { recursive: true, force: true });
