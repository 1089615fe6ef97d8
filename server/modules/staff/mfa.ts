import type { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import { verifyPassword } from './passwords.js';
import * as q from './queries.js';
import { requireUserByEmail, sha256, startSession, type NewSession } from './service.js';
import { blockedUntil, MFA_CODES_PER_SESSION, MFA_POLICY, secondsUntil } from './throttle.js';
import type { StaffPrincipal } from './types.js';
import { isSealed, openTotpSecret, sealTotpSecret, type TotpKey } from './totp-vault.js';

/** What the MFA functions need: the database, the clock, and the key TOTP secrets are sealed with. */
export interface MfaContext {
  db: Kysely<Database>;
  clock: Clock;
  totpKey: TotpKey;
}

// ---- TOTP (RFC 6238) ----

const PERIOD_S = 30;

function totpFor(secret: string, email: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Evident', label: email, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: OTPAuth.Secret.fromBase32(secret) });
}

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, email: string): string {
  return totpFor(secret, email).toString();
}

/** The time-step the code belongs to (one step of clock drift either way), or null. */
export function totpStep(secret: string, email: string, code: string, at: Date): number | null {
  const cleaned = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(cleaned)) return null;
  const delta = totpFor(secret, email).validate({ token: cleaned, timestamp: at.getTime(), window: 1 });
  return delta === null ? null : Math.floor(at.getTime() / 1000 / PERIOD_S) + delta;
}

export function checkTotp(secret: string, email: string, code: string, at: Date): boolean {
  return totpStep(secret, email, code, at) !== null;
}

export function currentTotp(secret: string, email: string, at: Date): string {
  return totpFor(secret, email).generate({ timestamp: at.getTime() });
}

// ---- enrolment ----

/** What re-enrolment asks for: the password and a code from the authenticator being replaced. */
export interface Reauthentication {
  password: string;
  currentCode: string;
}

/**
 * Turns MFA on once the user proves the authenticator works; returns one-time recovery codes.
 * Replacing an authenticator already set up needs the password and a current code from it, so a
 * borrowed session cannot move the second factor to another device.
 */
export async function enableMfa(ctx: MfaContext, userId: string, secret: string, code: string, ip: string | null, reauth?: Reauthentication): Promise<string[]> {
  const { db, clock } = ctx;
  const user = await q.findUserById(db, userId);
  if (!user) throw new NotFoundError();
  const now = clock.now();
  if (user.mfa_secret) await requireReauthentication(ctx, user, reauth, ip);
  const step = totpStep(secret, user.email, code, now);
  if (step === null) throw new ValidationError('That code does not match. Check the time on your device and try the current code.');
  const codes = Array.from({ length: 10 }, () => randomBytes(5).toString('hex'));
  await db.transaction().execute(async (tx) => {
    // The enrolment code is spent: it cannot sign anyone in afterwards.
    await q.updateUser(tx, userId, {
      mfa_secret: sealTotpSecret(ctx.totpKey, userId, secret),
      mfa_enabled_at: now,
      recovery_codes: JSON.stringify(codes.map(sha256)),
      totp_last_step: step,
      mfa_failures: 0,
      mfa_blocked_until: null,
    });
    await appendAudit(tx, clock, { actor: user.email, actorKind: 'user', action: user.mfa_secret ? 'staff.mfa_replaced' : 'staff.mfa_enabled', subject: user.email, ip });
  });
  return codes;
}

type UserRow = NonNullable<Awaited<ReturnType<typeof q.findUserById>>>;

async function requireReauthentication(ctx: MfaContext, user: UserRow, reauth: Reauthentication | undefined, ip: string | null): Promise<void> {
  if (!reauth?.password || !reauth.currentCode) {
    throw new ValidationError('Two-step verification is already on: enter your password and a code from your current authenticator to replace it.');
  }
  if (!(await verifyPassword(reauth.password, user.password_hash))) throw new ValidationError('Your password is not correct.');
  const check = await checkSecondFactor(ctx, user, reauth.currentCode, ip, { recoveryCodes: false });
  if (!check.ok) {
    throw new ValidationError(check.reason === 'blocked' ? `Too many wrong codes. Try again in ${check.retryAfterSeconds} second(s).` : 'The code from your current authenticator is not valid.');
  }
}

export async function disableMfa(db: Kysely<Database>, clock: Clock, email: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
    await q.updateUser(tx, user.id, { mfa_secret: null, mfa_enabled_at: null, recovery_codes: '[]', totp_last_step: null, mfa_failures: 0, mfa_blocked_until: null });
    await appendAudit(tx, clock, { ...by, action: 'staff.mfa_disabled', subject: user.email });
  });
}

/** Seals TOTP secrets still stored in plain text (from before encryption); returns how many. */
export async function sealPlainTotpSecrets(ctx: MfaContext): Promise<number> {
  const rows = await q.listPlainTotpSecrets(ctx.db);
  for (const row of rows) await q.updateUser(ctx.db, row.id, { mfa_secret: sealTotpSecret(ctx.totpKey, row.id, row.mfa_secret!) });
  return rows.length;
}

// ---- the second step of a sign-in ----

export type SecondFactorResult = { ok: true } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'blocked'; retryAfterSeconds: number };

/**
 * Checks a TOTP code (good once) or, where allowed, an unused recovery code. Wrong codes count
 * for the account across sessions; past the allowance the next attempt waits a growing delay.
 */
async function checkSecondFactor(
  ctx: MfaContext,
  user: UserRow,
  code: string,
  ip: string | null,
  options: { recoveryCodes: boolean },
): Promise<SecondFactorResult> {
  const { db, clock } = ctx;
  const now = clock.now();
  if (user.mfa_blocked_until && user.mfa_blocked_until > now) return { ok: false, reason: 'blocked', retryAfterSeconds: secondsUntil(user.mfa_blocked_until, now) };
  const secret = user.mfa_secret ? openTotpSecret(ctx.totpKey, user.id, user.mfa_secret) : null;
  const step = secret ? totpStep(secret, user.email, code, now) : null;
  let ok = step !== null && (await q.consumeTotpStep(db, user.id, step));
  // A secret from before encryption is sealed the first time it proves right.
  if (ok && secret && user.mfa_secret && !isSealed(user.mfa_secret)) await q.updateUser(db, user.id, { mfa_secret: sealTotpSecret(ctx.totpKey, user.id, secret) });
  if (!ok && options.recoveryCodes) ok = await useRecoveryCode(db, clock, user, code, ip);
  if (ok) {
    if (user.mfa_failures > 0) await q.updateUser(db, user.id, { mfa_failures: 0, mfa_blocked_until: null });
    return { ok: true };
  }
  await db.transaction().execute(async (tx) => {
    const failures = await q.recordUserMfaFailure(tx, user.id);
    const until = blockedUntil(failures, MFA_POLICY, now);
    if (until) await q.updateUser(tx, user.id, { mfa_blocked_until: until });
    await appendAudit(tx, clock, { actor: user.email, actorKind: 'user', action: 'staff.mfa_failed', subject: user.email, ip, details: { failures } });
  });
  return { ok: false, reason: 'invalid' };
}

/** A recovery code stands in for the authenticator only, never for the password. */
async function useRecoveryCode(db: Kysely<Database>, clock: Clock, user: UserRow, code: string, ip: string | null): Promise<boolean> {
  const hashed = sha256(code.trim().toLowerCase());
  const codes = user.recovery_codes as unknown as string[];
  if (!codes.includes(hashed)) return false;
  await db.transaction().execute(async (tx) => {
    await q.updateUser(tx, user.id, { recovery_codes: JSON.stringify(codes.filter((c) => c !== hashed)) });
    await appendAudit(tx, clock, { actor: user.email, actorKind: 'user', action: 'staff.recovery_code_used', subject: user.email, ip, details: { remaining: codes.length - 1 } });
  });
  return true;
}

export type MfaResult =
  | { ok: true; session: NewSession }
  | { ok: false; reason: 'invalid'; message: string }
  | { ok: false; reason: 'ended'; message: string }
  | { ok: false; reason: 'blocked'; message: string; retryAfterSeconds: number };

/** Completes a sign-in waiting for its second factor; after too many wrong codes the pending session ends. */
export async function completeMfa(ctx: MfaContext, principal: StaffPrincipal, code: string, ip: string | null, userAgent: string | null): Promise<MfaResult> {
  const { db, clock } = ctx;
  const user = await q.findUserById(db, principal.user.id);
  if (!user?.mfa_secret) return { ok: false, reason: 'invalid', message: 'That code is not valid.' };
  const check = await checkSecondFactor(ctx, user, code, ip, { recoveryCodes: true });
  if (check.ok) {
    const session = await startSession(db, clock, principal.user, { mfaPending: false, previousSessionId: principal.sessionId, ip, userAgent });
    return { ok: true, session };
  }
  if (check.reason === 'blocked') {
    return { ok: false, reason: 'blocked', retryAfterSeconds: check.retryAfterSeconds, message: `Too many wrong codes for this account. Try again in ${Math.ceil(check.retryAfterSeconds / 60)} minute(s).` };
  }
  if (principal.sessionId && (await q.recordSessionMfaFailure(db, principal.sessionId)) >= MFA_CODES_PER_SESSION) {
    await q.revokeSessionById(db, principal.sessionId, clock.now());
    return { ok: false, reason: 'ended', message: 'Too many wrong codes: this sign-in has ended. Sign in again with your password.' };
  }
  return { ok: false, reason: 'invalid', message: 'That code is not valid.' };
}
