import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type pg from 'pg';
import type { Database } from './database.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** Present for PGlite: the engine, for dumps and snapshots. */
  readonly pglite?: PGlite;
  close(): Promise<void>;
  /** PostgreSQL only: a connection of its own that receives NOTIFY messages. */
  readonly listen?: Listen;
}

export interface Listener {
  close(): Promise<void>;
}

/**
 * Opens a dedicated connection listening on a channel (named by the caller from the schema the
 * connection works in). `lost` is called once if the connection breaks; the caller reconnects.
 */
export type Listen = (channelOf: (schema: string) => string, handlers: { message(payload: string): void; lost(error: Error): void }) => Promise<Listener>;

export interface DatabaseTarget {
  /** postgres://… ; absent means PGlite. */
  url?: string | null;
  /** PGlite data folder; absent means in memory. */
  pgliteDir?: string;
  /** PGlite: start from a dumped data folder (tests clone a migrated template this way). */
  pgliteDump?: Blob;
  /** PostgreSQL: the schema to work in (tests use one fresh schema each). */
  schema?: string;
  poolSize?: number;
}

let driver: Promise<typeof pg> | null = null;

/** The PostgreSQL driver, loaded only when a PostgreSQL server is used: the embedded database's start does not pay for it. */
function loadPg(): Promise<typeof pg> {
  driver ??= import('pg').then(({ default: loaded }) => {
    // Dates as text: date-only values are calendar days, not instants, and must not shift with time zones.
    loaded.types.setTypeParser(1082, (value: string) => value);
    return loaded;
  });
  return driver;
}

const EMBEDDED_SHARED_BUFFERS = '16MB';

export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  if (target.url) return openPostgres(target.url, target.schema, target.poolSize ?? 10);
  const pglite = await PGlite.create({
    // PostgreSQL's default 128 MB of shared buffers is most of an embedded server's memory; one
    // provider's trust data is a few megabytes, which the operating system's file cache holds anyway.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
    ...(target.pgliteDir ? { dataDir: target.pgliteDir } : {}),
    ...(target.pgliteDump ? { loadDataDir: target.pgliteDump } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    pglite,
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

async function openPostgres(url: string, schema: string | undefined, max: number): Promise<OpenDatabase> {
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const pg = await loadPg();
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A client losing its server must not crash the process, idle or checked out: the query that
  // uses it fails (503), the pool drops it on release, and new connections recover by themselves.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  return {
    db,
    kind: 'postgres',
    listen: (channelOf, handlers) => listenOn(url, schema, channelOf, handlers),
    async close() {
      await db.destroy();
    },
  };
}

async function listenOn(url: string, schema: string | undefined, channelOf: (schema: string) => string, handlers: Parameters<Listen>[1]): Promise<Listener> {
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  let closing = false;
  let lost = false;
  const loseOnce = (error: Error) => {
    if (closing || lost) return;
    lost = true;
    handlers.lost(error);
  };
  client.on('error', loseOnce);
  client.on('end', () => loseOnce(new Error('the listening connection ended')));
  await client.connect();
  try {
    const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
    const channel = channelOf(rows[0].schema);
    client.on('notification', (n) => {
      if (n.channel === channel) handlers.message(n.payload ?? '');
    });
    await client.query(`listen ${client.escapeIdentifier(channel)}`);
  } catch (error) {
    closing = true;
    await client.end().catch(() => {});
    throw error;
  }
  return {
    async close() {
      closing = true;
      await client.end().catch(() => {});
    },
  };
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
