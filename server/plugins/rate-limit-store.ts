import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';


type Callback = (error: Error | null, result: { current: number; ttl: number } | null) => void;

/** What @fastify/rate-limit passes a store and its per-route children. */
interface StoreParams {
  routeInfo?: { method?: string | string[]; url?: string };
}

/**
 * A store for @fastify/rate-limit that counts in PostgreSQL, so a limit holds across all
 * instances behind the proxy (per process, N instances would allow N times the limit). One
 * upsert per limited request; the window is fixed and timed by the database server's clock,
 * which all instances share.
 */
export function databaseRateLimitStore(db: Kysely<Database>): FastifyRateLimitStoreCtor {
  // The declared types name `routeOptions`; at run time children get the merged limit parameters with `routeInfo`.
  return class DatabaseRateLimitStore {
    constructor(
      _params: StoreParams = {},
      private readonly prefix = 'rl:',
    ) {}

    incr(key: string, callback: Callback, timeWindow: number): void {
      hit(db, this.prefix + key, timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
      );
    }

    child(params: StoreParams): DatabaseRateLimitStore {
      const method = [params.routeInfo?.method ?? ''].flat().join(',');
      return new DatabaseRateLimitStore(params, `${this.prefix}${method} ${params.routeInfo?.url ?? ''}:`);
    }
  } as unknown as FastifyRateLimitStoreCtor;
}

async function hit(db: Kysely<Database>, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const { rows } = await sql<{ hits: number; ttl: string }>`
    insert into rate_limit_hits as r (key, hits, window_ends)
    values (${key}, 1, clock_timestamp() + make_interval(secs => ${windowMs / 1000}))
    on conflict (key) do update set
      hits = case when r.window_ends <= clock_timestamp() then 1 else r.hits + 1 end,
      window_ends = case when r.window_ends <= clock_timestamp() then excluded.window_ends else r.window_ends end
    returning hits, ceil(extract(epoch from (window_ends - clock_timestamp())) * 1000)::text as ttl`.execute(db);
  // Now and then, drop windows long over, so the table holds only live counters.
  if (Math.random() < 0.01) await sql`delete from rate_limit_hits where window_ends < clock_timestamp() - interval '1 hour'`.execute(db);
  return { current: rows[0].hits, ttl: Math.max(0, Number(rows[0].ttl)) };
}
