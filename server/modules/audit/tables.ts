import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../content/tables.js';

export type ActorKind = 'user' | 'token' | 'system' | 'rule' | 'public';

export interface AuditLogTable {
  id: Generated<string>; // bigserial: pg returns int8 as text
  at: Timestamp;
  actor: string;
  actor_kind: ActorKind;
  action: string;
  subject: string | null;
  details: Json<Record<string, unknown>>;
  ip: string | null;
  prev_hash: string;
  hash: ColumnType<string, string, never>;
  /** The key the hash was made with; "legacy" for the unkeyed entries from before keys. */
  key_id: ColumnType<string, string | undefined, never>;
}

export interface AuditTables {
  audit_log: AuditLogTable;
}
