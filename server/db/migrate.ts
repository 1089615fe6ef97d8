import { Migrator, sql, type DatabaseIntrospector, type Kysely, type TableMetadata, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeRoot } from '../config.js';

// The sources' .ts files, or their compiled .js twins in dist/ (same names, so applied ones match).
const migrationsDir = path.join(codeRoot, 'migrations');

function migrationFiles(): string[] {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}T\d{4}_.+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
}

/**
 * Every file of migrations/ (date-prefixed, so name order is time order), imported only when it
 * runs: a start with nothing pending would otherwise spend a third of a second importing them all.
 */
class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = migrationFiles();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const load = async () => (await import(pathToFileURL(path.join(migrationsDir, file)).href)) as Migration;
      migrations[file.replace(/\.(ts|js)$/, '')] = {
        up: async (db) => (await load()).up(db),
        down: async (db) => {
          const migration = await load();
          if (!migration.down) throw new Error(`migration ${file} cannot be reverted (it has no down step)`);
          await migration.down(db);
        },
      };
    }
    return migrations;
  }
}

/**
 * Kysely looks for its bookkeeping tables in every schema unless told which one; name the
 * current schema, so databases holding several Evident schemas (tests, staging) never mix them.
 */
export async function createMigrator(db: Kysely<any>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  // Unordered: work on parallel branches lands migrations whose names interleave with applied ones.
  return new Migrator({ db: withCurrentSchemaIntrospection(db), provider: new FolderMigrationProvider(), migrationTableSchema: rows[0].schema, allowUnorderedMigrations: true });
}

/**
 * Kysely's PostgreSQL introspector lists the tables of every schema and checks each schema's
 * privileges by name: a schema dropped meanwhile by another process (tests, staging) makes it fail
 * with "schema … does not exist". The migrator only asks whether its own tables exist, so answer
 * from the current schema alone. Methods are bound to the real instance (they use private fields).
 */
function withCurrentSchemaIntrospection(db: Kysely<any>): Kysely<any> {
  const introspection: DatabaseIntrospector = {
    getSchemas: () => db.introspection.getSchemas(),
    getMetadata: () => db.introspection.getMetadata(),
    async getTables(): Promise<TableMetadata[]> {
      const { rows } = await sql<{ name: string; schema: string }>`
        select c.relname as name, n.nspname as schema from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v')`.execute(db);
      return rows.map((r) => ({ ...r, isView: false, columns: [] }));
    },
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspection;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${message}`);
  }
  return (result.results ?? []).map((r) => `${r.direction === 'Up' ? 'applied' : 'reverted'} ${r.migrationName}`);
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  if (await appliedAll(db)) return [];
  return unwrap(await (await createMigrator(db)).migrateToLatest());
}

/**
 * Most starts find every migration applied: one query says so, where the migrator would take its
 * lock and compare everything. Anything else (a new file, no table yet) goes to the migrator.
 */
async function appliedAll(db: Kysely<any>): Promise<boolean> {
  const names = migrationFiles().map((f) => f.replace(/\.(ts|js)$/, ''));
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(rows.map((r) => r.name));
    return names.every((name) => applied.has(name));
  } catch {
    return false;
  }
}

export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return unwrap(await (await createMigrator(db)).migrateDown());
}

export async function migrateAllDown(db: Kysely<any>): Promise<string[]> {
  const { NO_MIGRATIONS } = await import('kysely');
  return unwrap(await (await createMigrator(db)).migrateTo(NO_MIGRATIONS));
}

/** Names of the migrations this code knows that the database has not applied (empty: current). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrations = await (await createMigrator(db)).getMigrations();
  return migrations.filter((m) => !m.executedAt).map((m) => m.name);
}
