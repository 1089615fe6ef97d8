import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's recommended scrypt cost (2^17, r=8, p=1): 128 MiB and a fraction of a second per hash. */
export const DEFAULT_SCRYPT_N = 2 ** 17;
const r = 8;
const p = 1;
const KEY_LENGTH = 64;
export const MIN_PASSWORD_LENGTH = 12;

export interface PasswordHashing {
  /** scrypt's cost for new hashes; a stored hash with a lower one is redone at the next sign-in. */
  readonly scryptN: number;
  /** Hashes computed at once; the others wait, so a flood of sign-ins cannot take every core and all memory. */
  readonly concurrency: number;
}

/**
 * Process-wide, like the hashing threads it governs: set once at start-up (buildApp, the CLI) from
 * configuration. Service functions hash through it without each carrying the config.
 */
let settings: PasswordHashing = { scryptN: DEFAULT_SCRYPT_N, concurrency: 2 };
let active = 0;
let peak = 0;
const waiting: (() => void)[] = [];

export function configurePasswordHashing(next: PasswordHashing): void {
  if (next.scryptN !== settings.scryptN) dummyHash = null;
  settings = { ...next };
}

export function passwordHashing(): PasswordHashing & { active: number; peak: number } {
  return { ...settings, active, peak };
}

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (active >= settings.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  peak = Math.max(peak, active);
  try {
    return await work();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

function derive(password: string, salt: Buffer, options: ScryptOptions & { N: number }): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses above 32 MiB unless maxmem says otherwise.
  const maxmem = 256 * options.N * (options.r ?? r);
  return withHashSlot(
    () => new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (err, key) => (err ? reject(err) : resolve(key)))),
  );
}

/** scrypt with a per-user random salt; parameters are stored with the hash so they can grow. */
export async function hashPassword(password: string, N = settings.scryptN): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, rr, pp, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(rr), p: Number(pp) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Whether a stored hash was made with a lower cost than new hashes get. */
export function needsRehash(stored: string): boolean {
  const [scheme, n] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) < settings.scryptN;
}

// Checking a password against this when the email is unknown costs the same as a real check,
// so response time does not reveal which emails exist.
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
  if (password.length > 512) return 'The password is too long (512 characters at most).';
  return null;
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
