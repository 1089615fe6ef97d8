/**
 * Repeated failures (passwords, second-factor codes) are answered with a delay that doubles with
 * each failure past a free allowance, up to a cap: guessing slows to a crawl, while a person who
 * mistyped waits seconds, not a lockout an attacker could keep up forever.
 */
export const MAX_DELAY_MS = 15 * 60 * 1000;

export interface DelayPolicy {
  /** Failures answered without delay. */
  readonly free: number;
  /** The first delay; each further failure doubles it. */
  readonly baseMs: number;
}

/** Wrong passwords from one address for one email. */
export const ADDRESS_POLICY: DelayPolicy = { free: 5, baseMs: 30_000 };
/** Wrong passwords for one email from anywhere: a higher allowance, as it can slow the owner too. */
export const EMAIL_POLICY: DelayPolicy = { free: 20, baseMs: 30_000 };
/** Wrong second-factor codes for one account, across its sessions. */
export const MFA_POLICY: DelayPolicy = { free: 5, baseMs: 30_000 };
/** Wrong codes one pending sign-in may send before it ends. */
export const MFA_CODES_PER_SESSION = 5;
/** An address the user finished a sign-in from this recently is not slowed by the per-email count. */
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60 * 1000;

/** The delay after the given number of failures in a row (0 while within the allowance). */
export function delayAfter(failures: number, policy: DelayPolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(MAX_DELAY_MS, policy.baseMs * 2 ** Math.min(failures - policy.free, 30));
}

/** When the next attempt is allowed, or null when it is allowed at once. */
export function blockedUntil(failures: number, policy: DelayPolicy, now: Date): Date | null {
  const ms = delayAfter(failures, policy);
  return ms > 0 ? new Date(now.getTime() + ms) : null;
}

export function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
