import type { DbOrTx } from '../../db/database.js';
import type { Role, TokenScope } from './tables.js';

export async function findUserByEmail(db: DbOrTx, email: string) {
  return db.selectFrom('staff_users').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
}

export async function findUserById(db: DbOrTx, id: string) {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: DbOrTx) {
  return db.selectFrom('staff_users').selectAll().orderBy('email').execute();
}

export async function countUsers(db: DbOrTx): Promise<number> {
  const row = await db.selectFrom('staff_users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  db: DbOrTx,
  user: { id: string; email: string; name: string; role: Role; passwordHash: string; at: Date },
): Promise<void> {
  await db
    .insertInto('staff_users')
    .values({
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      password_hash: user.passwordHash,
      password_changed_at: user.at,
      created_at: user.at,
      recovery_codes: '[]',
    })
    .execute();
}

export async function updateUser(
  db: DbOrTx,
  id: string,
  changes: Partial<{
    role: Role;
    name: string;
    password_hash: string;
    password_changed_at: Date;
    disabled_at: Date | null;
    mfa_secret: string | null;
    mfa_enabled_at: Date | null;
    recovery_codes: string;
    mfa_failures: number;
    mfa_blocked_until: Date | null;
    totp_last_step: number | null;
  }>,
): Promise<void> {
  await db.updateTable('staff_users').set(changes).where('id', '=', id).execute();
}

export async function insertSession(
  db: DbOrTx,
  session: { id: string; userId: string; mfaPending: boolean; at: Date; expiresAt: Date; ip: string | null; userAgent: string | null; mfaByProvider?: boolean; idToken?: string | null },
): Promise<void> {
  await db
    .insertInto('staff_sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      mfa_pending: session.mfaPending,
      created_at: session.at,
      last_seen_at: session.at,
      expires_at: session.expiresAt,
      ip: session.ip,
      user_agent: session.userAgent,
      mfa_by_provider: session.mfaByProvider ?? false,
      oidc_id_token: session.idToken ?? null,
    })
    .execute();
}

export async function findSession(db: DbOrTx, id: string) {
  return db.selectFrom('staff_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchSession(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.updateTable('staff_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
}

export async function revokeSessionById(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.updateTable('staff_sessions').set({ revoked_at: at, oidc_id_token: null }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

export async function revokeSessionsOfUser(db: DbOrTx, userId: string, at: Date, exceptId?: string): Promise<void> {
  let query = db.updateTable('staff_sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (exceptId) query = query.where('id', '!=', exceptId);
  await query.execute();
}

export async function insertToken(
  db: DbOrTx,
  token: { id: string; userId: string; name: string; tokenHash: string; at: Date; scope: TokenScope; expiresAt: Date | null },
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({ id: token.id, user_id: token.userId, name: token.name, token_hash: token.tokenHash, created_at: token.at, scope: token.scope, expires_at: token.expiresAt })
    .execute();
}

/** A password change ends every token of the user, as it ends the sessions. */
export async function revokeTokensOfUser(db: DbOrTx, userId: string, at: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

export async function findTokenByHash(db: DbOrTx, tokenHash: string) {
  return db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findToken(db: DbOrTx, id: string) {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listTokens(db: DbOrTx, userId?: string) {
  let query = db
    .selectFrom('api_tokens')
    .innerJoin('staff_users', 'staff_users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.scope', 'api_tokens.created_at', 'api_tokens.expires_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at', 'staff_users.email', 'api_tokens.user_id']);
  if (userId) query = query.where('api_tokens.user_id', '=', userId);
  return query.orderBy('api_tokens.created_at', 'desc').execute();
}

export async function markTokenUsed(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function revokeTokenById(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

export async function findLoginAttempt(db: DbOrTx, email: string) {
  return db.selectFrom('login_attempts').selectAll().where('email', '=', email).executeTakeFirst();
}

/** Counts one more failure for the email (from anywhere); returns the count. */
export async function recordEmailFailure(db: DbOrTx, email: string, at: Date): Promise<number> {
  const row = await db
    .insertInto('login_attempts')
    .values({ email, failures: 1, last_failure_at: at, locked_until: null })
    .onConflict((oc) => oc.column('email').doUpdateSet((eb) => ({ failures: eb('login_attempts.failures', '+', 1), last_failure_at: at })))
    .returning('failures')
    .executeTakeFirstOrThrow();
  return row.failures;
}

export async function blockEmail(db: DbOrTx, email: string, until: Date): Promise<void> {
  await db.updateTable('login_attempts').set({ locked_until: until }).where('email', '=', email).execute();
}

export async function findLoginFailure(db: DbOrTx, email: string, ip: string) {
  return db.selectFrom('login_failures').selectAll().where('email', '=', email).where('ip', '=', ip).executeTakeFirst();
}

/** Counts one more failure for the email from this address; returns the count. */
export async function recordAddressFailure(db: DbOrTx, email: string, ip: string, at: Date): Promise<number> {
  const row = await db
    .insertInto('login_failures')
    .values({ email, ip, failures: 1, last_failure_at: at, blocked_until: null })
    .onConflict((oc) => oc.columns(['email', 'ip']).doUpdateSet((eb) => ({ failures: eb('login_failures.failures', '+', 1), last_failure_at: at })))
    .returning('failures')
    .executeTakeFirstOrThrow();
  return row.failures;
}

export async function blockAddress(db: DbOrTx, email: string, ip: string, until: Date): Promise<void> {
  await db.updateTable('login_failures').set({ blocked_until: until }).where('email', '=', email).where('ip', '=', ip).execute();
}

/** After a success: the address starts afresh, and so does the email's count. */
export async function clearLoginFailures(db: DbOrTx, email: string, ip?: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('email', '=', email).execute();
  let query = db.deleteFrom('login_failures').where('email', '=', email);
  if (ip !== undefined) query = query.where('ip', '=', ip);
  await query.execute();
}

/** Whether the user finished a sign-in from this address since the given time (a known address). */
export async function hasSignedInFrom(db: DbOrTx, userId: string, ip: string, since: Date): Promise<boolean> {
  const row = await db
    .selectFrom('staff_sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('ip', '=', ip)
    .where('mfa_pending', '=', false)
    .where('created_at', '>=', since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Counts a wrong code on a pending session; returns the count. */
export async function recordSessionMfaFailure(db: DbOrTx, sessionId: string): Promise<number> {
  const row = await db
    .updateTable('staff_sessions')
    .set((eb) => ({ mfa_failures: eb('mfa_failures', '+', 1) }))
    .where('id', '=', sessionId)
    .returning('mfa_failures')
    .executeTakeFirst();
  return row?.mfa_failures ?? 0;
}

/** Counts a wrong code for the account, across its sessions; returns the count. */
export async function recordUserMfaFailure(db: DbOrTx, userId: string): Promise<number> {
  const row = await db
    .updateTable('staff_users')
    .set((eb) => ({ mfa_failures: eb('mfa_failures', '+', 1) }))
    .where('id', '=', userId)
    .returning('mfa_failures')
    .executeTakeFirstOrThrow();
  return row.mfa_failures;
}

/**
 * Marks a TOTP time-step used; false when it (or a later one) already was. One conditional
 * UPDATE, so two requests racing with the same code cannot both win.
 */
export async function consumeTotpStep(db: DbOrTx, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('staff_users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findSetting(db: DbOrTx, key: string) {
  return db.selectFrom('settings').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function upsertSetting(db: DbOrTx, key: string, value: unknown, by: string, at: Date): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value: JSON.stringify(value), updated_by: by, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_by: by, updated_at: at }))
    .execute();
}

/** Users whose TOTP secret is still plain base32 (sealed ones start with "v1."). */
export async function listPlainTotpSecrets(db: DbOrTx) {
  return db.selectFrom('staff_users').select(['id', 'mfa_secret']).where('mfa_secret', 'is not', null).where('mfa_secret', 'not like', 'v1.%').execute();
}

/** Ids of the enabled admins, locked until the transaction ends (two demotions cannot race past the last one). */
export async function lockEnabledAdmins(db: DbOrTx): Promise<string[]> {
  const rows = await db.selectFrom('staff_users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).orderBy('id').forUpdate().execute();
  return rows.map((r) => r.id);
}
