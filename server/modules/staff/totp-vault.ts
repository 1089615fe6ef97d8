import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * TOTP secrets are kept encrypted (AES-256-GCM under TOTP_KEY), so a copy of the database or a
 * backup alone does not let anyone mint codes. The user id is bound in as associated data: a
 * sealed secret copied onto another user's row does not open. Secrets stored before encryption
 * (plain base32) still read, and are sealed at start-up or on their next use.
 */
const PREFIX = 'v1.';
const PLAIN = /^[A-Z2-7]+=*$/;

export type TotpKey = Buffer;

function aad(userId: string): Buffer {
  return Buffer.from(`evident-totp:${userId}`);
}

export function sealTotpSecret(key: TotpKey, userId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(userId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return PREFIX + [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export class TotpKeyError extends Error {}

/** The base32 secret, whether stored sealed or (from before encryption) plain. */
export function openTotpSecret(key: TotpKey, userId: string, stored: string): string {
  if (!isSealed(stored)) {
    if (PLAIN.test(stored)) return stored;
    throw new TotpKeyError('the stored TOTP secret has an unknown format');
  }
  const [iv, tag, body] = stored.slice(PREFIX.length).split('.').map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad(userId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new TotpKeyError('a TOTP secret does not open with TOTP_KEY (another instance\'s key, or a restore from a machine with another key?)');
  }
}
