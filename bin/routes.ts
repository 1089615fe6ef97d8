/** Prints the role × route table (Markdown) from the routes the app actually registers. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../server/app.js';
import { fixedClock } from '../server/clock.js';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { roleRouteTable } from '../server/lib/route-table.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'evident-routes-'));
const database = await openDatabase({});
const app = await buildApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }), { db: database.db, databaseKind: 'pglite', clock: fixedClock(new Date()) });
await app.ready();
process.stdout.write(`${roleRouteTable(app.routeIndex)}\n`);
await app.close();
await database.close();
rmSync(dataDir, { recursive: true, force: true });
