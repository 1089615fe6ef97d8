import { stableJson } from '../../lib/stable-json.js';
import { LEGACY_KEY_ID, type AuditKeyring } from './keys.js';
import type { AuditRow } from './queries.js';

export const GENESIS_HASH = '0'.repeat(64);

export type HashedFields = Pick<AuditRow, 'at' | 'actor' | 'actor_kind' | 'action' | 'subject' | 'details' | 'ip'>;

function entryBody(row: HashedFields): string {
  return stableJson({
    at: row.at.toISOString(),
    actor: row.actor,
    actor_kind: row.actor_kind,
    action: row.action,
    subject: row.subject,
    details: row.details,
    ip: row.ip,
  });
}

/**
 * An entry's hash: HMAC-SHA256 under the named key of the previous hash, the key id and the
 * entry, so neither the content nor the key label can change unseen. Entries written before keys
 * ("legacy") keep their plain SHA-256 and verify as they were written. Null: key not configured.
 */
export function hashAuditRow(keys: AuditKeyring, keyId: string, prevHash: string, row: HashedFields): string | null {
  if (keyId === LEGACY_KEY_ID) return keys.mac(LEGACY_KEY_ID, `${prevHash}\n${entryBody(row)}`);
  return keys.mac(keyId, `${prevHash}\n${keyId}\n${entryBody(row)}`);
}
