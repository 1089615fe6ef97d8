import type { Kysely } from 'kysely';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { dummyPasswordHash, hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.js';
export { generatePassword } from './passwords.js';
import * as q from './queries.js';
import { ADDRESS_POLICY, blockedUntil, EMAIL_POLICY, KNOWN_ADDRESS_MS, secondsUntil } from './throttle.js';
import type { Role, StaffUsersTable } from './tables.js';
import type { StaffPrincipal, StaffUser } from './types.js';

export const ROLES: readonly Role[] = ['admin', 'editor', 'viewer'];
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

type UserRow = { id: string; email: string; name: string; role: Role; disabled_at: Date | null; mfa_enabled_at: Date | null; created_at: Date };

export function toStaffUser(row: UserRow): StaffUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled_at !== null,
    mfaEnabled: row.mfa_enabled_at !== null,
    createdAt: row.created_at,
  };
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string): string {
  const trimmed = email.trim();
  if (!EMAIL.test(trimmed) || trimmed.length > 254) throw new ValidationError(`"${email}" is not an email address.`);
  return trimmed;
}

function assertRole(role: string): asserts role is Role {
  if (!ROLES.includes(role as Role)) throw new ValidationError(`Role must be one of ${ROLES.join(', ')}.`);
}

export async function createUser(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; name?: string; role: string; password: string },
  by: Actor,
): Promise<StaffUser> {
  const email = normaliseEmail(input.email);
  assertRole(input.role);
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError(problem);
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (tx) => {
    if (await q.findUserByEmail(tx, email)) throw new ConflictError(`A user with the email ${email} already exists.`);
    const id = randomUUID();
    await q.insertUser(tx, { id, email, name: input.name?.trim() || email.split('@')[0], role: input.role as Role, passwordHash, at: clock.now() });
    await appendAudit(tx, clock, { ...by, action: 'staff.user_created', subject: email, details: { role: input.role } });
    return toStaffUser((await q.findUserById(tx, id))!);
  });
}


/**
 * The break-glass admin: signs in with its local password even when local passwords are off, and
 * the identity provider never links or re-groups it. Made (or an existing account turned into
 * it) with the CLI only, by whoever runs the server.
 */
export async function makeBreakGlassAdmin(db: Kysely<Database>, clock: Clock, email: string, password: string, by: Actor): Promise<StaffUser> {
  const problem = passwordProblem(password);
  if (problem) throw new ValidationError(problem);
  const address = normaliseEmail(email);
  const hash = await hashPassword(password);
  return db.transaction().execute(async (tx) => {
    const now = clock.now();
    const existing = await q.findUserByEmail(tx, address);
    if (existing?.oidc_subject) throw new ValidationError(`${address} belongs to a company (OIDC) account; choose another address for the break-glass admin.`);
    if (existing) {
      await tx.updateTable('staff_users').set({ role: 'admin', break_glass: true, password_hash: hash, password_changed_at: now, disabled_at: null }).where('id', '=', existing.id).execute();
      await q.revokeSessionsOfUser(tx, existing.id, now);
    } else {
      await tx.insertInto('staff_users').values({ id: randomUUID(), email: address, name: 'Break-glass admin', role: 'admin', password_hash: hash, password_changed_at: now, created_at: now, break_glass: true }).execute();
    }
    await appendAudit(tx, clock, { ...by, action: 'staff.break_glass_set', subject: address });
    return toStaffUser((await q.findUserByEmail(tx, address))!);
  });
}

export async function requireUserByEmail(db: DbOrTx, email: string) {
  const user = await q.findUserByEmail(db, email.trim());
  if (!user) throw new NotFoundError(`No user with the email ${email}.`);
  return user;
}

/**
 * The last enabled admin (the break-glass admin counts) can be neither demoted nor disabled, from
 * the web or the CLI: nobody could manage users or settings after. The operator is never stuck:
 * `evident user break-glass` makes another admin first. The enabled admins are locked while
 * counted, so two changes at once cannot both pass.
 */
async function keepAnAdmin(tx: DbOrTx, user: { id: string; email: string; role: Role; disabled_at: Date | null }): Promise<void> {
  if (user.role !== 'admin' || user.disabled_at) return;
  const admins = await q.lockEnabledAdmins(tx);
  if (admins.every((id) => id === user.id)) {
    throw new ConflictError(`${user.email} is the last enabled admin; make another account admin first (or, from the command line, evident user break-glass).`);
  }
}

export async function setRole(db: Kysely<Database>, clock: Clock, email: string, role: string, by: Actor): Promise<void> {
  assertRole(role);
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
    if (role !== 'admin') await keepAnAdmin(tx, user);
    await q.updateUser(tx, user.id, { role });
    await appendAudit(tx, clock, { ...by, action: 'staff.role_changed', subject: user.email, details: { from: user.role, to: role } });
  });
}

export async function setDisabled(db: Kysely<Database>, clock: Clock, email: string, disabled: boolean, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
    if (disabled) await keepAnAdmin(tx, user);
    const now = clock.now();
    await q.updateUser(tx, user.id, { disabled_at: disabled ? now : null });
    if (disabled) await q.revokeSessionsOfUser(tx, user.id, now);
    await appendAudit(tx, clock, { ...by, action: disabled ? 'staff.user_disabled' : 'staff.user_enabled', subject: user.email });
  });
}

/** Sets a new password; every other session of the user ends. */
export async function setPassword(
  db: Kysely<Database>,
  clock: Clock,
  email: string,
  password: string,
  by: Actor,
  options: { keepSessionId?: string; action?: string } = {},
): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new ValidationError(problem);
  const hash = await hashPassword(password);
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
    const now = clock.now();
    await q.updateUser(tx, user.id, { password_hash: hash, password_changed_at: now });
    await q.revokeSessionsOfUser(tx, user.id, now, options.keepSessionId);
    await q.revokeTokensOfUser(tx, user.id, now);
    await q.clearLoginFailures(tx, user.email.toLowerCase());
    await appendAudit(tx, clock, { ...by, action: options.action ?? 'staff.password_reset', subject: user.email });
  });
}

export async function unlockAccount(db: Kysely<Database>, clock: Clock, email: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await q.clearLoginFailures(tx, email.trim().toLowerCase());
    await appendAudit(tx, clock, { ...by, action: 'staff.unlocked', subject: email.trim() });
  });
}

export type LoginResult =
  | { ok: true; user: StaffUser; mfaRequired: boolean }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/**
 * Checks email and password. Unknown email, wrong password and disabled account give the same
 * answer after the same work. Failures are counted per (email, address) and per email; either
 * count past its allowance answers with a growing delay (see throttle.ts). The per-email delay
 * does not hold up an address the user recently signed in from, so failures from elsewhere cannot
 * keep the owner out.
 */
export async function checkCredentials(db: Kysely<Database>, clock: Clock, email: string, password: string, ip: string | null): Promise<LoginResult> {
  const key = email.trim().toLowerCase();
  const address = ip ?? 'unknown';
  const now = clock.now();
  const user = key ? await q.findUserByEmail(db, key) : undefined;
  const blocked = await loginBlockedUntil(db, key, address, user?.id ?? null, now);
  if (blocked) return { ok: false, reason: 'locked', retryAfterSeconds: secondsUntil(blocked, now) };
  const valid = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !valid || user.disabled_at) {
    await db.transaction().execute(async (tx) => {
      const fromAddress = await q.recordAddressFailure(tx, key, address, now);
      const forEmail = await q.recordEmailFailure(tx, key, now);
      const addressBlock = blockedUntil(fromAddress, ADDRESS_POLICY, now);
      const emailBlock = blockedUntil(forEmail, EMAIL_POLICY, now);
      if (addressBlock) await q.blockAddress(tx, key, address, addressBlock);
      if (emailBlock) await q.blockEmail(tx, key, emailBlock);
      await appendAudit(tx, clock, { actor: key || '(empty)', actorKind: 'public', action: 'staff.login_failed', subject: key, ip, details: { failures: fromAddress, failuresForEmail: forEmail } });
    });
    return { ok: false, reason: 'invalid' };
  }
  // With local passwords switched off, only the break-glass admin signs in with one; the others
  // get the same answer as a wrong password and use the company's provider.
  if (!user.break_glass && (await localPasswordsDisabled(db))) return { ok: false, reason: 'invalid' };
  await q.clearLoginFailures(db, key, address);
  // The one moment the password is at hand: bring an older, cheaper hash up to today's cost.
  if (needsRehash(user.password_hash)) await q.updateUser(db, user.id, { password_hash: await hashPassword(password) });
  return { ok: true, user: toStaffUser(user), mfaRequired: user.mfa_enabled_at !== null };
}

/** The end of the delay that holds this attempt back, or null. */
async function loginBlockedUntil(db: Kysely<Database>, email: string, address: string, userId: string | null, now: Date): Promise<Date | null> {
  const fromAddress = await q.findLoginFailure(db, email, address);
  if (fromAddress?.blocked_until && fromAddress.blocked_until > now) return fromAddress.blocked_until;
  const forEmail = await q.findLoginAttempt(db, email);
  if (!forEmail?.locked_until || forEmail.locked_until <= now) return null;
  const known = userId !== null && (await q.hasSignedInFrom(db, userId, address, new Date(now.getTime() - KNOWN_ADDRESS_MS)));
  return known ? null : forEmail.locked_until;
}

export interface NewSession {
  cookieValue: string;
  sessionId: string;
  expiresAt: Date;
}

/** Starts a session with a fresh id (rotation at login); the previous one, if any, ends. */
export async function startSession(
  db: Kysely<Database>,
  clock: Clock,
  user: StaffUser,
  options: { mfaPending: boolean; previousSessionId?: string | null; ip: string | null; userAgent: string | null; via?: 'password' | 'oidc'; mfaByProvider?: boolean; idToken?: string | null },
): Promise<NewSession> {
  const cookieValue = randomBytes(32).toString('base64url');
  const sessionId = sha256(cookieValue);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await db.transaction().execute(async (tx) => {
    if (options.previousSessionId) await q.revokeSessionById(tx, options.previousSessionId, now);
    await q.insertSession(tx, { id: sessionId, userId: user.id, mfaPending: options.mfaPending, at: now, expiresAt, ip: options.ip, userAgent: options.userAgent, mfaByProvider: options.mfaByProvider, idToken: options.idToken });
    if (!options.mfaPending) {
      const details = options.via === 'oidc' ? { via: 'oidc', mfaByProvider: options.mfaByProvider ?? false } : undefined;
      await appendAudit(tx, clock, { actor: user.email, actorKind: 'user', action: 'staff.login', subject: user.email, ip: options.ip, ...(details ? { details } : {}) });
    }
  });
  return { cookieValue, sessionId, expiresAt };
}

/** The principal behind a session cookie, or null when absent, revoked, idle too long or expired. */
export async function resolveSession(db: Kysely<Database>, clock: Clock, cookieValue: string): Promise<StaffPrincipal | null> {
  const session = await q.findSession(db, sha256(cookieValue));
  if (!session || session.revoked_at) return null;
  const now = clock.now();
  if (session.expires_at <= now || now.getTime() - session.last_seen_at.getTime() > SESSION_IDLE_MS) return null;
  const user = await q.findUserById(db, session.user_id);
  if (!user || user.disabled_at) return null;
  // Writing on every request would make each page a write; a minute's resolution is enough.
  if (now.getTime() - session.last_seen_at.getTime() > 60_000) await q.touchSession(db, session.id, now);
  return { user: toStaffUser(user), via: 'session', sessionId: session.id, tokenId: null, tokenScope: null, mfaPending: session.mfa_pending, mfaByProvider: session.mfa_by_provider };
}

/** Ends the session; returns the provider's ID token when it was started there (to sign out there too). */
export async function endSession(db: Kysely<Database>, clock: Clock, principal: StaffPrincipal, ip: string | null): Promise<{ idToken: string | null }> {
  if (!principal.sessionId) return { idToken: null };
  return db.transaction().execute(async (tx) => {
    const idToken = (await q.findSession(tx, principal.sessionId!))?.oidc_id_token ?? null;
    await q.revokeSessionById(tx, principal.sessionId!, clock.now());
    await appendAudit(tx, clock, { actor: principal.user.email, actorKind: 'user', action: 'staff.logout', subject: principal.user.email, ip });
    return { idToken };
  });
}

// ---- settings ----

export async function localPasswordsDisabled(db: DbOrTx): Promise<boolean> {
  return (await q.findSetting(db, 'local_passwords_disabled'))?.value === true;
}

export async function setLocalPasswordsDisabled(db: Kysely<Database>, clock: Clock, disabled: boolean, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (disabled) {
      const breakGlass = await tx.selectFrom('staff_users').select('id').where('break_glass', '=', true).where('role', '=', 'admin').where('disabled_at', 'is', null).executeTakeFirst();
      if (!breakGlass) throw new ValidationError('Create a break-glass admin first (evident user break-glass EMAIL): without one, an outage at the identity provider locks everyone out.');
    }
    await q.upsertSetting(tx, 'local_passwords_disabled', disabled, by.actor, clock.now());
    await appendAudit(tx, clock, { ...by, action: 'settings.changed', subject: 'local_passwords_disabled', details: { value: disabled } });
  });
}

export async function isMfaRequired(db: DbOrTx): Promise<boolean> {
  return (await mfaRequiredSince(db)) !== null;
}

/** When an admin last turned "require MFA" on, or null while it is off. */
export async function mfaRequiredSince(db: DbOrTx): Promise<Date | null> {
  const setting = await q.findSetting(db, 'require_mfa');
  return setting?.value === true ? setting.updated_at : null;
}

export async function setMfaRequired(db: Kysely<Database>, clock: Clock, required: boolean, by: Actor): Promise<void> {
  // Saving the same value again keeps the date: tokens are judged against when MFA became required.
  if ((await isMfaRequired(db)) === required) return;
  await db.transaction().execute(async (tx) => {
    await q.upsertSetting(tx, 'require_mfa', required, by.actor, clock.now());
    await appendAudit(tx, clock, { ...by, action: 'settings.changed', subject: 'require_mfa', details: { value: required } });
  });
}

