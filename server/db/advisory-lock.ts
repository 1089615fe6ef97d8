import { sql, type Kysely } from 'kysely';

/**
 * Runs `work` while holding a session-level PostgreSQL advisory lock named `name`, taken on one
 * pooled connection (the work itself may use others), so instances sharing a database take turns.
 */
export async function withAdvisoryLock<T>(db: Kysely<any>, name: string, work: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${name}))`.execute(conn);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(conn);
    }
  });
}
