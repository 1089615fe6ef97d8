import type { Kysely } from 'kysely';
import { createHash } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { stableJson } from '../../lib/stable-json.js';
import { findLastAuditHash, insertAuditRow, lockAuditChain, streamAuditRows, type AuditRow } from './queries.js';
import type { ActorKind } from './tables.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  actor: string;
  actorKind: ActorKind;
  action: string;
  subject?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

/** Who did something, as the audit log records it. */
export interface Actor {
  actor: string;
  actorKind: ActorKind;
  ip?: string | null;
}

export function hashAuditRow(prevHash: string, row: Pick<AuditRow, 'at' | 'actor' | 'actor_kind' | 'action' | 'subject' | 'details' | 'ip'>): string {
  const body = stableJson({
    at: row.at.toISOString(),
    actor: row.actor,
    actor_kind: row.actor_kind,
    action: row.action,
    subject: row.subject,
    details: row.details,
    ip: row.ip,
  });
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

/**
 * Appends one entry, chained to the previous one by hash. Pass the caller's transaction so the
 * entry commits (or not) with the change it records; given the plain database it opens its own.
 */
export async function appendAudit(db: DbOrTx, clock: Clock, entry: AuditEntry): Promise<string> {
  const write = async (tx: DbOrTx) => {
    await lockAuditChain(tx);
    const prev = (await findLastAuditHash(tx)) ?? GENESIS_HASH;
    const row = {
      at: clock.now(),
      actor: entry.actor,
      actor_kind: entry.actorKind,
      action: entry.action,
      subject: entry.subject ?? null,
      details: entry.details ?? {},
      ip: entry.ip ?? null,
      prev_hash: prev,
    };
    return insertAuditRow(tx, { ...row, hash: hashAuditRow(prev, row) });
  };
  if ('isTransaction' in db && db.isTransaction) return write(db);
  return (db as Kysely<Database>).transaction().execute(write);
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  firstBrokenId: string | null;
  message: string;
}

/** Recomputes every hash: an edited, removed or reordered entry breaks the chain at that point. */
export async function verifyAuditChain(db: DbOrTx): Promise<ChainReport> {
  let prev = GENESIS_HASH;
  let entries = 0;
  for await (const row of streamAuditRows(db)) {
    entries++;
    if (row.prev_hash !== prev || hashAuditRow(prev, row) !== row.hash) {
      return { ok: false, entries, firstBrokenId: row.id, message: `audit chain broken at entry ${row.id}` };
    }
    prev = row.hash;
  }
  return { ok: true, entries, firstBrokenId: null, message: `audit chain intact: ${entries} entries` };
}
