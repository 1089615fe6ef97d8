import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../../server/db/connect.js';
import { migrateToLatest } from '../../../server/db/migrate.js';
import { verifyAuditChain } from '../../../server/modules/audit/service.js';
import { backup, orderedTables, restore, TABLE_ORDER } from '../../../server/modules/backup/service.js';
import { accessContent } from '../../helpers/access-content.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, testAuditKeys } from '../../helpers/database.js';
import { required } from '../../helpers/requirements.js';
import { keyedDatabase } from '../../../server/modules/audit/keys.js';
import { minimalContentDir } from '../../helpers/content-fixture.js';
import { makeStaff, signIn } from '../../helpers/staff.js';
import { buildRealisticWorkbook } from '../../helpers/workbooks.js';

const serverUrl = process.env.DATABASE_URL || process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function serverReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

// On PGlite the round trip goes to the PostgreSQL server: without one the test fails, not passes.
const roundTripToServer = process.env.DATABASE_URL ? true : required('postgres-server', await serverReachable(), `start PostgreSQL at ${serverUrl}`);

/** The other kind of database than the one the suite runs on: that is the point of a logical backup. */
async function otherDatabase(): Promise<OpenDatabase & { drop?: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const target = keyedDatabase(await openDatabase({}), testAuditKeys);
    await migrateToLatest(target.db);
    return target;
  }
  const schema = `restore_${randomBytes(5).toString('hex')}`;
  const target = keyedDatabase(await openDatabase({ url: serverUrl, schema, poolSize: 2 }), testAuditKeys);
  await migrateToLatest(target.db);
  return { ...target, drop: async () => void (await sql`drop schema ${sql.id(schema)} cascade`.execute(target.db)) };
}

let t: TestApp;
let content: Awaited<ReturnType<typeof accessContent>>;
const work = mkdtempSync(path.join(os.tmpdir(), 'evident-backup-'));

beforeAll(async () => {
  content = await accessContent();
  t = await createTestApp({ contentDir: content.dir, env: { LOGIN_RATE_LIMIT: '1000', PUBLIC_FORM_RATE_LIMIT: '1000' } });
  const editor = await signIn(t.app, (await makeStaff(t.database.db, t.clock, 'editor')).email);
  await editor.agent.post('/api/v1/questionnaires').set('x-csrf-token', editor.csrf).attach('file', await buildRealisticWorkbook(), 'vendor.xlsx').expect(201);
  await t.app.jobs.idle();
  const req = await editor.agent.post('/api/v1/access-requests').set('x-csrf-token', editor.csrf).send({ name: 'Pat', email: 'pat@contoso.example', company: 'Contoso', reason: 'due diligence', documents: ['ev-soc2'] }).expect(201);
  await editor.agent.post(`/api/v1/access-requests/${req.body.id}/approve`).set('x-csrf-token', editor.csrf).send({}).expect(200);
  mkdirSync(path.join(t.dataDir, 'uploads', 'evidence'), { recursive: true });
  writeFileSync(path.join(t.dataDir, 'uploads', 'evidence', 'abc123'), 'uploaded evidence bytes');
  // Several instances keep uploaded evidence in rows: the backup carries them like any table.
  await t.database.db.insertInto('evidence_files').values({ sha256: 'e'.repeat(64), data: Buffer.from([0, 1, 2, 255]), size: 4, created_at: t.clock.now() }).execute();
});
afterAll(async () => {
  await t.close();
  content.remove();
  rmSync(work, { recursive: true, force: true });
});

async function counts(db: OpenDatabase['db']) {
  const out: Record<string, number> = {};
  for (const table of await orderedTables(db as never)) {
    const row = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    out[table] = Number(row.rows[0].n);
  }
  return out;
}

describe('backup and restore', () => {
  it('knows the restore order of every table the migrations create', async () => {
    expect((await orderedTables(t.database.db as never)).sort()).toEqual([...TABLE_ORDER].sort());
  });

  it.runIf(roundTripToServer)('round-trips to the other kind of database: every row, the audit chain and the files come back', async () => {
    const file = path.join(work, 'snapshot.jsonl.gz');
    const summary = await backup(t.database.db, t.dataDir, file);
    expect(summary.tables.questionnaire_items).toBeGreaterThan(0);
    expect(summary.tables.access_grants).toBe(1);
    expect(summary.files).toBe(1);

    const target = await otherDatabase();
    const restoreDir = path.join(work, 'restored-data');
    try {
      const restored = await restore(target.db, restoreDir, file);
      expect(restored.tables).toEqual(summary.tables);
      expect(await counts(target.db)).toEqual(await counts(t.database.db));
      expect((await verifyAuditChain(target.db)).ok).toBe(true);
      expect((await verifyAuditChain(target.db)).entries).toBe((await verifyAuditChain(t.database.db)).entries);
      const original = await t.database.db.selectFrom('questionnaire_files').select('data').executeTakeFirstOrThrow();
      const copy = await target.db.selectFrom('questionnaire_files').select('data').executeTakeFirstOrThrow();
      expect(Buffer.from(copy.data).equals(Buffer.from(original.data))).toBe(true);
      expect(readFileSync(path.join(restoreDir, 'uploads', 'evidence', 'abc123'), 'utf8')).toBe('uploaded evidence bytes');
      const stored = await target.db.selectFrom('evidence_files').select(['sha256', 'data']).execute();
      expect(stored.map((r) => [r.sha256, [...Buffer.from(r.data)]])).toEqual([['e'.repeat(64), [0, 1, 2, 255]]]);
      // sequences continue after the restored ids
      await target.db.insertInto('content_revisions').values({ hash: 'x', synced_at: new Date(), counts: '{}', changes: '{}', conflicts: '[]' }).execute();
      await expect(restore(target.db, restoreDir, file)).rejects.toThrow(/not empty/);
    } finally {
      await target.drop?.();
      await target.close();
    }
  });
});

/** The same database, except that every transaction waits before it begins, like BEGIN on a busy server. */
function withSlowBegin(db: OpenDatabase['db'], ms: number): OpenDatabase['db'] {
  const bound = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop);
    return typeof value === 'function' ? value.bind(target) : value;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop !== 'transaction') return bound(target, prop);
      return () => {
        const builder = target.transaction();
        return new Proxy(builder, {
          get(b, p) {
            if (p !== 'execute') return bound(b, p);
            return async (fn: Parameters<typeof builder.execute>[0]) => {
              await new Promise((r) => setTimeout(r, ms));
              return b.execute(fn);
            };
          },
        });
      };
    },
  });
}

describe('restore', () => {
  it('loses no line while its transaction is slow to begin', async () => {
    const source = await createTestApp({ contentDir: minimalContentDir });
    const target = await createTestDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evident-slow-restore-'));
    try {
      const file = path.join(dir, 'small.jsonl.gz');
      const written = await backup(source.database.db, source.dataDir, file);
      const restored = await restore(withSlowBegin(target.db, 500), path.join(dir, 'data'), file);
      expect(restored.tables).toEqual(written.tables);
      expect(await counts(target.db)).toEqual(await counts(source.database.db));
    } finally {
      await target.close();
      await source.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
