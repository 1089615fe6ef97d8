import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { createHash, createHmac } from 'node:crypto';
import type { AuditKeyConfig } from '../../config.js';
import type { OpenDatabase } from '../../db/connect.js';
import type { Database, DbOrTx } from '../../db/database.js';

/** Entries written before the log was keyed: an unkeyed SHA-256 chain. */
export const LEGACY_KEY_ID = 'legacy';

/**
 * The audit log's HMAC keys: the first signs, every one verifies. The keys live in configuration,
 * never in the database, so whoever owns the tables cannot recompute a valid chain.
 *
 * It travels with the database handle as a (do-nothing) Kysely plugin: every write path already
 * receives the handle or a transaction of it, transactions inherit plugins, and so appendAudit
 * finds the key without a module global or a new parameter through every service.
 */
export class AuditKeyring implements KyselyPlugin {
  private readonly secrets: Map<string, Buffer>;
  readonly signingId: string;

  constructor(keys: readonly AuditKeyConfig[]) {
    if (!keys.length) throw new Error('the audit keyring needs at least one key');
    this.secrets = new Map(keys.map((k) => [k.id, Buffer.from(k.secret, 'utf8')]));
    this.signingId = keys[0].id;
  }

  has(keyId: string): boolean {
    return keyId === LEGACY_KEY_ID || this.secrets.has(keyId);
  }

  /** HMAC-SHA256 of the text under the named key, or null when the key is not configured. */
  mac(keyId: string, text: string): string | null {
    if (keyId === LEGACY_KEY_ID) return createHash('sha256').update(text).digest('hex');
    const secret = this.secrets.get(keyId);
    return secret ? createHmac('sha256', secret).update(text).digest('hex') : null;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** The same database, with the audit keys attached (replacing any attached before). */
export function withAuditKeys<T extends Kysely<Database>>(db: T, keys: readonly AuditKeyConfig[]): T {
  let next = db.withoutPlugins().withPlugin(new AuditKeyring(keys));
  for (const plugin of db.getExecutor().plugins) if (!(plugin instanceof AuditKeyring)) next = next.withPlugin(plugin);
  return next as unknown as T;
}

export function auditKeysOf(db: DbOrTx): AuditKeyring {
  const keyring = db.getExecutor().plugins.find((p): p is AuditKeyring => p instanceof AuditKeyring);
  if (!keyring) throw new Error('no audit key is attached to this database handle (open it through openConfiguredDatabase, or use withAuditKeys)');
  return keyring;
}

/** An opened database whose handle signs audit entries with these keys. */
export function keyedDatabase<T extends OpenDatabase>(opened: T, keys: readonly AuditKeyConfig[]): T {
  return { ...opened, db: withAuditKeys(opened.db, keys) };
}
