import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { OpenDatabase } from './db/connect.js';
import { withAuditKeys } from './modules/audit/keys.js';
import { withKnowledgeTracker } from './modules/engine/queries.js';

/**
 * The database handle the server, the CLI and tests work with: audit entries signed with the
 * configured keys, and one knowledge tracker on the app's clock. Both travel with the handle, so
 * every handle derived from it (transactions included) shares them.
 */
export function appDatabase<T extends OpenDatabase>(opened: T, config: Pick<Config, 'auditKeys'>, clock: Clock): T {
  return { ...opened, db: withKnowledgeTracker(withAuditKeys(opened.db, config.auditKeys), clock, { notifyOthers: opened.kind === 'postgres' }) };
}
