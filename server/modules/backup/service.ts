import { knowledgeChanged } from '../../lib/knowledge-version.js';
import { sql, type Kysely } from 'kysely';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createGunzip, createGzip } from 'node:zlib';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { Database } from '../../db/database.js';

/** Tables in an order where every row's references are restored before it. */
export const TABLE_ORDER = [
  'content_revisions', 'content_sync_state', 'content_documents', 'frameworks', 'controls', 'control_mappings', 'services', 'responsibilities', 'evidence',
  'evidence_versions', 'evidence_files', 'data_categories', 'regions', 'subprocessors', 'certifications', 'disclosure_changes', 'library_answers', 'library_overlaps', 'faq_entries',
  'staff_users', 'staff_sessions', 'api_tokens', 'login_attempts', 'login_failures', 'settings', 'audit_log',
  'questionnaires', 'questionnaire_files', 'questionnaire_items', 'jobs',
  'mail_messages', 'access_requests', 'access_grants', 'nda_acceptances', 'document_downloads',
  'subscriptions', 'announced_changes', 'visitor_questions', 'pending_uploads', 'rate_limit_hits',
];

interface ColumnInfo {
  name: string;
  type: string;
}

async function listTables(db: Kysely<any>): Promise<string[]> {
  const rows = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(db);
  return rows.rows.map((r) => r.table_name);
}

async function columnsOf(db: Kysely<any>, table: string): Promise<ColumnInfo[]> {
  const rows = await sql<{ column_name: string; data_type: string }>`select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
  return rows.rows.map((r) => ({ name: r.column_name, type: r.data_type }));
}

/** Tables present in the database, in restore order; a table missing from TABLE_ORDER is an error. */
export async function orderedTables(db: Kysely<any>): Promise<string[]> {
  const present = new Set(await listTables(db));
  const unknown = [...present].filter((t) => !TABLE_ORDER.includes(t));
  if (unknown.length) throw new Error(`backup does not know the order of table(s): ${unknown.join(', ')}`);
  return TABLE_ORDER.filter((t) => present.has(t));
}

function encode(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'bytea') return Buffer.from(value as Uint8Array).toString('base64');
  if (value instanceof Date) return value.toISOString();
  return value;
}

function decode(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'bytea') return Buffer.from(String(value), 'base64');
  if (type === 'jsonb' || type === 'json') return JSON.stringify(value);
  return value;
}

export interface BackupSummary {
  tables: Record<string, number>;
  files: number;
}

function walk(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [path.relative(base, full)];
  });
}

/**
 * A consistent logical snapshot: every row of every table, read in one repeatable-read
 * transaction, plus the uploaded files, as gzipped JSON lines. It restores on either database.
 */
export async function backup(db: Kysely<Database>, dataDir: string, file: string, progress: (msg: string) => void = () => {}): Promise<BackupSummary> {
  const out = createGzip();
  const sink = createWriteStream(file);
  out.pipe(sink);
  const write = async (record: unknown) => {
    if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
  };
  const summary: BackupSummary = { tables: {}, files: 0 };
  await db.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
    const untyped = tx as unknown as Kysely<any>;
    const tables = await orderedTables(untyped);
    await write({ format: 'evident-backup', version: 1, tables });
    for (const table of tables) {
      const columns = await columnsOf(untyped, table);
      const types = new Map(columns.map((c) => [c.name, c.type]));
      await write({ table, columns: columns.map((c) => c.name) });
      const rows = await untyped.selectFrom(table).selectAll().execute();
      for (const row of rows) await write({ row: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, encode(v, types.get(k) ?? '')])) });
      summary.tables[table] = rows.length;
      progress(`${table}: ${rows.length} rows`);
    }
  });
  const uploads = path.join(dataDir, 'uploads');
  for (const relative of walk(uploads)) {
    await write({ file: relative, data: readFileSync(path.join(uploads, relative)).toString('base64') });
    summary.files++;
  }
  progress(`files: ${summary.files}`);
  out.end();
  await once(sink, 'finish');
  return summary;
}

/**
 * Restores a snapshot into a freshly migrated, empty database (PGlite or PostgreSQL), in one
 * transaction: all or nothing. Sequences continue after the restored ids.
 */
export async function restore(db: Kysely<Database>, dataDir: string, file: string, progress: (msg: string) => void = () => {}): Promise<BackupSummary> {
  const untypedDb = db as unknown as Kysely<any>;
  for (const table of ['staff_users', 'audit_log', 'questionnaires', 'controls']) {
    const row = await untypedDb.selectFrom(table).select(sql`1`.as('x')).limit(1).executeTakeFirst();
    if (row) throw new Error(`the database is not empty (table ${table} has rows): restore into a new, empty database`);
  }
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const summary: BackupSummary = { tables: {}, files: 0 };
  const files: { file: string; data: string }[] = [];
  await db.transaction().execute(async (tx) => {
    const untyped = tx as unknown as Kysely<any>;
    // Opened here, right before the loop that reads it: a line reader starts reading at once,
    // and lines read while nobody listens (say, while BEGIN waits for a busy server) are lost.
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
    let table: string | null = null;
    let types = new Map<string, string>();
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (table && batch.length) await untyped.insertInto(table).values(batch).execute();
      batch = [];
    };
    let header = false;
    for await (const line of lines) {
      if (!line.trim()) continue;
      const record = JSON.parse(line) as Record<string, unknown>;
      if (!header) {
        if (record.format !== 'evident-backup') throw new Error('this file is not an Evident backup');
        header = true;
      } else if (typeof record.table === 'string') {
        await flush();
        table = record.table;
        types = new Map((await columnsOf(untyped, table)).map((c) => [c.name, c.type]));
        summary.tables[table] = 0;
        progress(`restoring ${table}`);
      } else if (record.row && table) {
        const row = record.row as Record<string, unknown>;
        batch.push(Object.fromEntries(Object.entries(row).filter(([k]) => types.has(k)).map(([k, v]) => [k, decode(v, types.get(k)!)])));
        summary.tables[table]++;
        if (batch.length >= 200) await flush();
      } else if (typeof record.file === 'string') {
        files.push({ file: record.file, data: String(record.data) });
      }
    }
    await flush();
    // Serial columns continue after the highest restored id.
    for (const t of Object.keys(summary.tables)) {
      const serials = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${t} and column_default like 'nextval%'`.execute(untyped);
      for (const { column_name } of serials.rows) {
        await sql`select setval(pg_get_serial_sequence(${t}, ${column_name}), coalesce((select max(${sql.ref(column_name)}) from ${sql.table(t)}), 0) + 1, false)`.execute(untyped);
      }
    }
  });
  for (const f of files) {
    const target = path.resolve(dataDir, 'uploads', f.file);
    if (!target.startsWith(path.join(dataDir, 'uploads') + path.sep)) throw new Error(`refusing to write outside the uploads folder: ${f.file}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(f.data, 'base64'));
    summary.files++;
  }
  knowledgeChanged(db);
  return summary;
}
