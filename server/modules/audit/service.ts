import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { auditKeysOf, LEGACY_KEY_ID, type AuditKeyring } from './keys.js';
import { findLastAuditHead, insertAuditRow, lockAuditChain, streamAuditRows, type AuditRow } from './queries.js';
import type { ActorKind } from './tables.js';
import { checkpointProblem, type AuditCheckpoint } from './checkpoint.js';
import { GENESIS_HASH, hashAuditRow } from './hash.js';

export { GENESIS_HASH, hashAuditRow };

export interface AuditEntry {
  actor: string;
  actorKind: ActorKind;
  action: string;
  subject?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export type { Actor } from './actor.js';

/**
 * Appends one entry, chained to the previous one and signed with the newest audit key. Pass the
 * caller's transaction so the entry commits (or not) with the change it records; given the plain
 * database it opens its own.
 */
export async function appendAudit(db: DbOrTx, clock: Clock, entry: AuditEntry): Promise<string> {
  const keys = auditKeysOf(db);
  const write = async (tx: DbOrTx) => {
    await lockAuditChain(tx);
    const prev = (await findLastAuditHead(tx))?.hash ?? GENESIS_HASH;
    const row = {
      at: clock.now(),
      actor: entry.actor,
      actor_kind: entry.actorKind,
      action: entry.action,
      subject: entry.subject ?? null,
      details: entry.details ?? {},
      ip: entry.ip ?? null,
      prev_hash: prev,
      key_id: keys.signingId,
    };
    return insertAuditRow(tx, { ...row, hash: hashAuditRow(keys, keys.signingId, prev, row)! });
  };
  if ('isTransaction' in db && db.isTransaction) return write(db);
  return (db as Kysely<Database>).transaction().execute(write);
}

/**
 * After an upgrade the chain ends in unkeyed entries: the first keyed entry seals them, so that
 * from here on rewriting them breaks a keyed hash. Returns whether it wrote one.
 */
export async function sealLegacyAudit(db: Kysely<Database>, clock: Clock): Promise<boolean> {
  const head = await findLastAuditHead(db);
  if (!head || head.key_id !== LEGACY_KEY_ID) return false;
  await appendAudit(db, clock, { actor: 'evident', actorKind: 'system', action: 'audit.keyed', details: { legacyHead: head.hash, legacyLastId: head.id } });
  return true;
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  /** Entries from before the log was keyed (they verify as an unkeyed chain). */
  legacyEntries: number;
  /** The chain's newest entry: what a checkpoint records. */
  head: { id: string; hash: string } | null;
  firstBrokenId: string | null;
  /** Checkpoints held against the chain. */
  checkpoints: number;
  message: string;
}

function broken(entries: number, legacyEntries: number, id: string | null, message: string, checkpoints: number): ChainReport {
  return { ok: false, entries, legacyEntries, head: null, firstBrokenId: id, checkpoints, message };
}

/**
 * Recomputes every hash with the configured keys: an edited, removed or reordered entry breaks
 * the chain at that point. Checkpoints (see checkpoint.ts) catch what a chain alone cannot: the
 * newest entries removed, or the whole log rewritten by someone holding the key.
 */
export async function verifyAuditChain(db: DbOrTx, options: { keys?: AuditKeyring; checkpoints?: AuditCheckpoint[] } = {}): Promise<ChainReport> {
  const keys = options.keys ?? auditKeysOf(db);
  const checkpoints = options.checkpoints ?? [];
  for (const checkpoint of checkpoints) {
    const problem = checkpointProblem(keys, checkpoint);
    if (problem) return broken(0, 0, null, problem, checkpoints.length);
  }
  const byPosition = new Map(checkpoints.map((c) => [c.entries, c]));
  let prev = GENESIS_HASH;
  let entries = 0;
  let legacyEntries = 0;
  let keyed = false;
  let head: ChainReport['head'] = null;
  for await (const row of streamAuditRows(db)) {
    entries++;
    if (row.key_id === LEGACY_KEY_ID) {
      // Unkeyed entries are history from before the upgrade: they may only come first.
      if (keyed) return broken(entries, legacyEntries, row.id, `audit chain broken at entry ${row.id}: an unkeyed entry after keyed ones`, checkpoints.length);
      legacyEntries++;
    } else keyed = true;
    if (!keys.has(row.key_id)) {
      return broken(entries, legacyEntries, row.id, `audit entry ${row.id} is signed with key "${row.key_id}", which is not configured: add it to AUDIT_KEY (older keys stay listed after a rotation)`, checkpoints.length);
    }
    if (row.prev_hash !== prev || hashAuditRow(keys, row.key_id, prev, row) !== row.hash) {
      return broken(entries, legacyEntries, row.id, `audit chain broken at entry ${row.id}`, checkpoints.length);
    }
    const checkpoint = byPosition.get(entries);
    if (checkpoint && (checkpoint.lastId !== row.id || checkpoint.hash !== row.hash)) {
      return broken(entries, legacyEntries, row.id, `audit entry ${entries} (id ${row.id}) differs from the checkpoint of ${checkpoint.at}: the log was rewritten`, checkpoints.length);
    }
    prev = row.hash;
    head = { id: row.id, hash: row.hash };
  }
  if (legacyEntries && !keyed) {
    // An honest log gets its first keyed entry as soon as the upgraded app opens it (sealLegacyAudit).
    return broken(entries, legacyEntries, null, `all ${entries} audit entries are unkeyed: open the database once with this version to seal them, or the log was rewritten`, checkpoints.length);
  }
  const longest = checkpoints.reduce<AuditCheckpoint | null>((a, c) => (!a || c.entries > a.entries ? c : a), null);
  if (longest && longest.entries > entries) {
    return broken(entries, legacyEntries, null, `the audit log has ${entries} entries, but the checkpoint of ${longest.at} recorded ${longest.entries}: entries were removed`, checkpoints.length);
  }
  const legacy = legacyEntries ? ` (${legacyEntries} from before the log was keyed)` : '';
  const held = checkpoints.length ? `, consistent with ${checkpoints.length} checkpoint(s)` : '';
  return { ok: true, entries, legacyEntries, head, firstBrokenId: null, checkpoints: checkpoints.length, message: `audit chain intact: ${entries} entries${legacy}${held}` };
}
