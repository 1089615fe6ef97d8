import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest } from '../../server/db/migrate.js';

/**
 * PGlite's cold start costs seconds; migrate one instance once per run and let every test
 * file start from its dump instead (PostgreSQL runs use a fresh schema per file instead).
 */
export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evident-template-'));
  if (!process.env.DATABASE_URL) {
    const pglite = await PGlite.create();
    const db = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
    await migrateToLatest(db);
    const dump = await pglite.dumpDataDir('none');
    writeFileSync(path.join(dir, 'template.tar'), Buffer.from(await dump.arrayBuffer()));
    await db.destroy();
    process.env.EVIDENT_TEST_TEMPLATE = path.join(dir, 'template.tar');
    // The same, as a data folder on disk: CLI tests copy it instead of migrating a fresh folder per command.
    const folder = await PGlite.create({ dataDir: path.join(dir, 'pglite'), loadDataDir: dump });
    await folder.close();
    process.env.EVIDENT_TEST_DATA_FOLDER = path.join(dir, 'pglite');
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
