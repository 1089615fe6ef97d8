import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../../server/clock.js';
import type { Database } from '../../server/db/database.js';
import { createUser } from '../../server/modules/staff/service.js';
import { createToken, type TokenOptions } from '../../server/modules/staff/tokens.js';
import type { Role } from '../../server/modules/staff/tables.js';
import type { MfaContext } from '../../server/modules/staff/mfa.js';

export const TEST_PASSWORD = 'correct horse battery staple';

let counter = 0;

/** A staff user with a known password (and, if asked, an API token). */
export async function makeStaff(db: Kysely<Database>, clock: Clock, role: Role, email?: string) {
  const address = email ?? `${role}${++counter}@provider.example`;
  const user = await createUser(db, clock, { email: address, role, password: TEST_PASSWORD }, { actor: 'test', actorKind: 'system' });
  return user;
}

export async function makeToken(db: Kysely<Database>, clock: Clock, email: string, options: TokenOptions = {}): Promise<string> {
  return (await createToken(db, clock, email, 'test', { actor: 'test', actorKind: 'system' }, options)).token;
}

export interface SignedIn {
  agent: InstanceType<typeof TestAgent>;
  csrf: string;
}

/** Signs in through the JSON API; the agent keeps the cookies, csrf goes in x-csrf-token. */
export async function signIn(app: FastifyInstance, email: string, password = TEST_PASSWORD): Promise<SignedIn> {
  const agent = request.agent(app.server);
  const res = await agent.post('/api/v1/session').send({ email, password });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${res.text}`);
  return { agent, csrf: res.body.csrfToken as string };
}

/** The MFA functions' context for a test app (its database, clock and TOTP key). */
export function mfaOf(t: { database: { db: Kysely<Database> }; clock: Clock; config: { totpKey: Buffer } }): MfaContext {
  return { db: t.database.db, clock: t.clock, totpKey: t.config.totpKey };
}
