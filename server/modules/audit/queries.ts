import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { ActorKind } from './tables.js';

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  actor_kind: ActorKind;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  prev_hash: string;
  hash: string;
  key_id: string;
}

/** Serialises writers so the chain never forks (PGlite has one connection; PostgreSQL many). */
export async function lockAuditChain(tx: DbOrTx): Promise<void> {
  await sql`select pg_advisory_xact_lock(7142026)`.execute(tx);
}

/** The newest entry, with what a checkpoint needs to check it. */
export async function findLastAuditHead(tx: DbOrTx): Promise<AuditRow | null> {
  const row = await tx.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? ({ ...row, id: String(row.id) } as AuditRow) : null;
}

export async function countAuditRows(db: DbOrTx): Promise<number> {
  const row = await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertAuditRow(tx: DbOrTx, row: Omit<AuditRow, 'id'>): Promise<string> {
  const inserted = await tx
    .insertInto('audit_log')
    .values({ ...row, details: JSON.stringify(row.details) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(inserted.id);
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  subject?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  afterId?: string;
}

export async function listAuditRows(db: DbOrTx, filter: AuditFilter): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.actor) query = query.where('actor', 'ilike', `%${filter.actor}%`);
  if (filter.action) query = query.where('action', 'like', `${filter.action}%`);
  if (filter.subject) query = query.where('subject', '=', filter.subject);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  const rows = await query.orderBy('id', 'desc').limit(filter.limit ?? 200).execute();
  return rows.map((r) => ({ ...r, id: String(r.id) })) as AuditRow[];
}

/** The whole chain in order, in pages, for verification and backup. */
export async function* streamAuditRows(db: DbOrTx, pageSize = 1000): AsyncGenerator<AuditRow> {
  let after = '0';
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where(sql<boolean>`id > ${after}::bigint`)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const row of rows) yield { ...row, id: String(row.id) } as AuditRow;
    if (rows.length < pageSize) return;
    after = String(rows[rows.length - 1].id);
  }
}
