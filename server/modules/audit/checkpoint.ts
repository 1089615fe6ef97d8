import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../clock.js';
import type { DbOrTx } from '../../db/database.js';
import { stableJson } from '../../lib/stable-json.js';
import { hashAuditRow } from './hash.js';
import type { AuditKeyring } from './keys.js';
import { countAuditRows, findLastAuditHead } from './queries.js';

/**
 * The head of the audit log at one moment, signed with the audit key and kept OUTSIDE the
 * database (a file, another system, a ticket). Held against the log later, it shows the newest
 * entries removed (fewer entries than it recorded) and a log rewritten by someone holding the
 * key (its entry no longer has the recorded hash), neither of which a hash chain alone reveals.
 */
export interface AuditCheckpoint {
  format: 'evident-audit-checkpoint';
  version: 1;
  /** How many entries the log had. */
  entries: number;
  /** The newest entry's id and hash (null ids for an empty log). */
  lastId: string | null;
  hash: string | null;
  at: string;
  keyId: string;
  hmac: string;
}

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

function signedText(c: Pick<AuditCheckpoint, 'entries' | 'lastId' | 'hash' | 'at' | 'keyId'>): string {
  return `evident-audit-checkpoint\n${stableJson({ entries: c.entries, lastId: c.lastId, hash: c.hash, at: c.at, keyId: c.keyId })}`;
}

export function signCheckpoint(keys: AuditKeyring, head: { entries: number; lastId: string | null; hash: string | null }, at: Date): AuditCheckpoint {
  const body = { ...head, at: at.toISOString(), keyId: keys.signingId };
  return { format: 'evident-audit-checkpoint', version: 1, ...body, hmac: keys.mac(keys.signingId, signedText(body))! };
}

/** Why a checkpoint cannot be trusted, or null when its signature holds. */
export function checkpointProblem(keys: AuditKeyring, c: AuditCheckpoint): string | null {
  if (c.format !== 'evident-audit-checkpoint' || c.version !== 1) return 'this is not an Evident audit checkpoint';
  if (!keys.has(c.keyId) || c.keyId === 'legacy') return `the checkpoint of ${c.at} is signed with key "${c.keyId}", which is not configured`;
  if (keys.mac(c.keyId, signedText(c)) !== c.hmac) return `the checkpoint of ${c.at} has a bad signature: it was altered or made with another key`;
  return null;
}

/** One checkpoint (JSON) or many (JSON lines, as the server appends them). */
export function parseCheckpoints(text: string): AuditCheckpoint[] {
  const trimmed = text.trim();
  if (!trimmed) throw new Error('the checkpoint file is empty');
  try {
    const one = JSON.parse(trimmed) as unknown;
    return (Array.isArray(one) ? one : [one]) as AuditCheckpoint[];
  } catch {
    return trimmed.split('\n').filter((l) => l.trim()).map((line, i) => {
      try {
        return JSON.parse(line) as AuditCheckpoint;
      } catch {
        throw new Error(`line ${i + 1} of the checkpoint file is not JSON`);
      }
    });
  }
}

/**
 * The log's current head, signed. The head entry's own HMAC is checked first, so a checkpoint
 * never endorses an entry the key did not write (`evident audit verify` checks the whole chain).
 */
export async function currentCheckpoint(db: DbOrTx, keys: AuditKeyring, clock: Clock): Promise<AuditCheckpoint> {
  const [entries, head] = await Promise.all([countAuditRows(db), findLastAuditHead(db)]);
  if (head && hashAuditRow(keys, head.key_id, head.prev_hash, head) !== head.hash) {
    throw new Error(`the newest audit entry (${head.id}) does not verify with the configured keys: run evident audit verify`);
  }
  return signCheckpoint(keys, { entries, lastId: head?.id ?? null, hash: head?.hash ?? null }, clock.now());
}

/** Appends a checkpoint as one line (one write, so concurrent instances do not interleave). */
export function appendCheckpointFile(dir: string, checkpoint: AuditCheckpoint): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, CHECKPOINT_FILE);
  appendFileSync(file, JSON.stringify(checkpoint) + '\n', { mode: 0o600 });
  return file;
}
