import type { Kysely } from 'kysely';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
export { generatePassword } from './passwords.js';
import * as q from './queries.js';
import type { Role, StaffUsersTable } from './tables.js';
import type { StaffPrincipal, StaffUser } from './types.js';

export const ROLES: readonly Role[] = ['admin', 'editor', 'viewer'];
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MS = 15 * 60 * 1000;
const TOKEN_PREFIX = 'evt_';

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

export async function requireUserByEmail(db: DbOrTx, email: string) {
  const user = await q.findUserByEmail(db, email.trim());
  if (!user) throw new NotFoundError(`No user with the email ${email}.`);
  return user;
}

export async function setRole(db: Kysely<Database>, clock: Clock, email: string, role: string, by: Actor): Promise<void> {
  assertRole(role);
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
    await q.updateUser(tx, user.id, { role });
    await appendAudit(tx, clock, { ...by, action: 'staff.role_changed', subject: user.email, details: { from: user.role, to: role } });
  });
}

export async function setDisabled(db: Kysely<Database>, clock: Clock, email: string, disabled: boolean, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
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
    await q.clearLoginAttempts(tx, user.email.toLowerCase());
    await appendAudit(tx, clock, { ...by, action: options.action ?? 'staff.password_reset', subject: user.email });
  });
}

export async function unlockAccount(db: Kysely<Database>, clock: Clock, email: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await q.clearLoginAttempts(tx, email.trim().toLowerCase());
    await appendAudit(tx, clock, { ...by, action: 'staff.unlocked', subject: email.trim() });
  });
}

export type LoginResult =
  | { ok: true; user: StaffUser; mfaRequired: boolean }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/**
 * Checks email and password. Unknown email, wrong password and disabled account give the same
 * answer after the same work; repeated failures lock the email (known or not) for a while.
 */
export async function checkCredentials(db: Kysely<Database>, clock: Clock, email: string, password: string, ip: string | null): Promise<LoginResult> {
  const key = email.trim().toLowerCase();
  const now = clock.now();
  const attempt = await q.findLoginAttempt(db, key);
  if (attempt?.locked_until && attempt.locked_until > now) {
    return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((attempt.locked_until.getTime() - now.getTime()) / 1000) };
  }
  const user = key ? await q.findUserByEmail(db, key) : undefined;
  const valid = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !valid || user.disabled_at) {
    await db.transaction().execute(async (tx) => {
      const failures = await q.recordLoginFailure(tx, key, now, LOCK_AFTER_FAILURES, new Date(now.getTime() + LOCK_MS));
      await appendAudit(tx, clock, { actor: key || '(empty)', actorKind: 'public', action: 'staff.login_failed', subject: key, ip, details: { failures } });
    });
    return { ok: false, reason: 'invalid' };
  }
  await q.clearLoginAttempts(db, key);
  return { ok: true, user: toStaffUser(user), mfaRequired: user.mfa_enabled_at !== null };
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
  options: { mfaPending: boolean; previousSessionId?: string | null; ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const cookieValue = randomBytes(32).toString('base64url');
  const sessionId = sha256(cookieValue);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await db.transaction().execute(async (tx) => {
    if (options.previousSessionId) await q.revokeSessionById(tx, options.previousSessionId, now);
    await q.insertSession(tx, { id: sessionId, userId: user.id, mfaPending: options.mfaPending, at: now, expiresAt, ip: options.ip, userAgent: options.userAgent });
    if (!options.mfaPending) {
      await appendAudit(tx, clock, { actor: user.email, actorKind: 'user', action: 'staff.login', subject: user.email, ip: options.ip });
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
  return { user: toStaffUser(user), via: 'session', sessionId: session.id, tokenId: null, mfaPending: session.mfa_pending };
}

export async function endSession(db: Kysely<Database>, clock: Clock, principal: StaffPrincipal, ip: string | null): Promise<void> {
  if (!principal.sessionId) return;
  await db.transaction().execute(async (tx) => {
    await q.revokeSessionById(tx, principal.sessionId!, clock.now());
    await appendAudit(tx, clock, { actor: principal.user.email, actorKind: 'user', action: 'staff.logout', subject: principal.user.email, ip });
  });
}

export async function createToken(db: Kysely<Database>, clock: Clock, email: string, name: string, by: Actor): Promise<{ id: string; token: string }> {
  if (!name.trim()) throw new ValidationError('A token needs a name (what it is for).');
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
    await q.insertToken(tx, { id, userId: user.id, name: name.trim(), tokenHash: sha256(token), at: clock.now() });
    await appendAudit(tx, clock, { ...by, action: 'staff.token_created', subject: user.email, details: { tokenId: id, name: name.trim() } });
  });
  return { id, token };
}

export async function resolveToken(db: Kysely<Database>, clock: Clock, token: string): Promise<StaffPrincipal | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await q.findTokenByHash(db, sha256(token));
  if (!row || row.revoked_at) return null;
  const user = await q.findUserById(db, row.user_id);
  if (!user || user.disabled_at) return null;
  await q.markTokenUsed(db, row.id, clock.now());
  return { user: toStaffUser(user), via: 'token', sessionId: null, tokenId: row.id, mfaPending: false };
}

export async function revokeToken(db: Kysely<Database>, clock: Clock, tokenId: string, by: Actor, onlyUserId?: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const token = await q.findToken(tx, tokenId);
    if (!token || (onlyUserId && token.user_id !== onlyUserId)) throw new NotFoundError(`No token ${tokenId}.`);
    await q.revokeTokenById(tx, tokenId, clock.now());
    await appendAudit(tx, clock, { ...by, action: 'staff.token_revoked', subject: tokenId, details: { name: token.name } });
  });
}

// ---- MFA (TOTP, RFC 6238) ----

function totpFor(secret: string, email: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Evident', label: email, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) });
}

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, email: string): string {
  return totpFor(secret, email).toString();
}

export function checkTotp(secret: string, email: string, code: string, at: Date): boolean {
  const cleaned = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(cleaned)) return false;
  return totpFor(secret, email).validate({ token: cleaned, timestamp: at.getTime(), window: 1 }) !== null;
}

export function currentTotp(secret: string, email: string, at: Date): string {
  return totpFor(secret, email).generate({ timestamp: at.getTime() });
}

/** Turns MFA on once the user proves the authenticator works; returns one-time recovery codes. */
export async function enableMfa(db: Kysely<Database>, clock: Clock, userId: string, secret: string, code: string, ip: string | null): Promise<string[]> {
  const user = await q.findUserById(db, userId);
  if (!user) throw new NotFoundError();
  if (!checkTotp(secret, user.email, code, clock.now())) throw new ValidationError('That code does not match. Check the time on your device and try the current code.');
  const codes = Array.from({ length: 10 }, () => randomBytes(5).toString('hex'));
  await db.transaction().execute(async (tx) => {
    await q.updateUser(tx, userId, { mfa_secret: secret, mfa_enabled_at: clock.now(), recovery_codes: JSON.stringify(codes.map(sha256)) });
    await appendAudit(tx, clock, { actor: user.email, actorKind: 'user', action: 'staff.mfa_enabled', subject: user.email, ip });
  });
  return codes;
}

export async function disableMfa(db: Kysely<Database>, clock: Clock, email: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
    await q.updateUser(tx, user.id, { mfa_secret: null, mfa_enabled_at: null, recovery_codes: '[]' });
    await appendAudit(tx, clock, { ...by, action: 'staff.mfa_disabled', subject: user.email });
  });
}

/** Completes a login waiting for its second factor: a TOTP code or an unused recovery code. */
export async function completeMfa(db: Kysely<Database>, clock: Clock, principal: StaffPrincipal, code: string, ip: string | null, userAgent: string | null): Promise<NewSession | null> {
  const user = await q.findUserById(db, principal.user.id);
  if (!user?.mfa_secret) return null;
  const now = clock.now();
  let ok = checkTotp(user.mfa_secret, user.email, code, now);
  if (!ok) {
    const hashed = sha256(code.trim().toLowerCase());
    const codes = user.recovery_codes as unknown as string[];
    if (codes.includes(hashed)) {
      ok = true;
      await q.updateUser(db, user.id, { recovery_codes: JSON.stringify(codes.filter((c) => c !== hashed)) });
      await appendAudit(db, clock, { actor: user.email, actorKind: 'user', action: 'staff.recovery_code_used', subject: user.email, ip, details: { remaining: codes.length - 1 } });
    }
  }
  if (!ok) {
    await appendAudit(db, clock, { actor: user.email, actorKind: 'user', action: 'staff.mfa_failed', subject: user.email, ip });
    return null;
  }
  return startSession(db, clock, principal.user, { mfaPending: false, previousSessionId: principal.sessionId, ip, userAgent });
}

// ---- settings ----

export async function isMfaRequired(db: DbOrTx): Promise<boolean> {
  return (await q.findSetting(db, 'require_mfa'))?.value === true;
}

export async function setMfaRequired(db: Kysely<Database>, clock: Clock, required: boolean, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await q.upsertSetting(tx, 'require_mfa', required, by.actor, clock.now());
    await appendAudit(tx, clock, { ...by, action: 'settings.changed', subject: 'require_mfa', details: { value: required } });
  });
}

