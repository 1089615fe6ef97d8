import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { generatePassword } from './passwords.js';
import { countUsers } from './queries.js';
import { createUser } from './service.js';

export const DEMO_ADMIN_EMAIL = 'admin@evident.local';

/**
 * On the embedded default with no staff yet, a first admin with a random password, so the demo
 * can be explored at once. Never in production, never with PostgreSQL, never twice.
 */
export async function ensureDemoAdmin(db: Kysely<Database>, clock: Clock, config: Config): Promise<{ email: string; password: string } | null> {
  if (config.env === 'production' || config.databaseUrl) return null;
  if ((await countUsers(db)) > 0) return null;
  const password = generatePassword();
  await createUser(db, clock, { email: DEMO_ADMIN_EMAIL, name: 'Demo admin', role: 'admin', password }, { actor: 'evident', actorKind: 'system' });
  return { email: DEMO_ADMIN_EMAIL, password };
}
