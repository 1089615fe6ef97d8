import type { Kysely } from 'kysely';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { appendAudit, type Actor } from '../audit/service.js';
import * as q from './queries.js';
import { mfaRequiredSince, requireUserByEmail, sha256, toStaffUser } from './service.js';
import type { Role, TokenScope } from './tables.js';
import type { StaffPrincipal } from './types.js';

const TOKEN_PREFIX = 'evt_';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** A viewer's token can only read: a token never does more than its owner's role. */
export function scopeAllowed(role: Role, scope: TokenScope): boolean {
  return scope === 'read' || role !== 'viewer';
}

export interface TokenOptions {
  /** Default: write for editors and admins, read for viewers. */
  scope?: TokenScope;
  /** Days until the token stops working; none: until revoked (or the password changes). */
  expiresInDays?: number;
}

export async function createToken(db: Kysely<Database>, clock: Clock, email: string, name: string, by: Actor, options: TokenOptions = {}): Promise<{ id: string; token: string }> {
  if (!name.trim()) throw new ValidationError('A token needs a name (what it is for).');
  if (options.scope !== undefined && !TOKEN_SCOPES.includes(options.scope)) throw new ValidationError(`Scope must be one of ${TOKEN_SCOPES.join(', ')}.`);
  const days = options.expiresInDays;
  if (days !== undefined && (!Number.isInteger(days) || days <= 0 || days > 3650)) throw new ValidationError('Expiry must be a whole number of days between 1 and 3650.');
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const now = clock.now();
  const expiresAt = days ? new Date(now.getTime() + days * DAY_MS) : null;
  await db.transaction().execute(async (tx) => {
    const user = await requireUserByEmail(tx, email);
    const scope = options.scope ?? (user.role === 'viewer' ? 'read' : 'write');
    if (!scopeAllowed(user.role, scope)) throw new ValidationError(`A ${user.role} can only have read tokens.`);
    await q.insertToken(tx, { id, userId: user.id, name: name.trim(), tokenHash: sha256(token), at: now, scope, expiresAt });
    await appendAudit(tx, clock, { ...by, action: 'staff.token_created', subject: user.email, details: { tokenId: id, name: name.trim(), scope, expiresAt: expiresAt?.toISOString() ?? null } });
  });
  return { id, token };
}

export type TokenResolution = { ok: true; principal: StaffPrincipal } | { ok: false; reason: 'invalid' | 'mfa'; message: string };

/**
 * The principal behind a bearer token. A token follows the MFA policy like a session: while MFA
 * is required, it works only for an owner with MFA on, and only if it was created after both the
 * requirement and the owner's MFA, so a token minted before cannot route around the policy.
 */
export async function resolveToken(db: Kysely<Database>, clock: Clock, token: string): Promise<TokenResolution> {
  const invalid = { ok: false, reason: 'invalid', message: 'The API token is invalid, expired or revoked.' } as const;
  if (!token.startsWith(TOKEN_PREFIX)) return invalid;
  const row = await q.findTokenByHash(db, sha256(token));
  const now = clock.now();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now)) return invalid;
  const user = await q.findUserById(db, row.user_id);
  if (!user || user.disabled_at) return invalid;
  const requiredSince = await mfaRequiredSince(db);
  if (requiredSince && (!user.mfa_enabled_at || row.created_at < requiredSince || row.created_at < user.mfa_enabled_at)) {
    return { ok: false, reason: 'mfa', message: 'Your organisation requires multi-factor authentication: this token was created before that (or before your MFA was set up). Turn on MFA and create a new token.' };
  }
  await q.markTokenUsed(db, row.id, now);
  // A token of someone since demoted to viewer reads only.
  const scope: TokenScope = scopeAllowed(user.role, row.scope) ? row.scope : 'read';
  return { ok: true, principal: { user: toStaffUser(user), via: 'token', sessionId: null, tokenId: row.id, tokenScope: scope, mfaPending: false } };
}

export async function revokeToken(db: Kysely<Database>, clock: Clock, tokenId: string, by: Actor, onlyUserId?: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const token = await q.findToken(tx, tokenId);
    if (!token || (onlyUserId && token.user_id !== onlyUserId)) throw new NotFoundError(`No token ${tokenId}.`);
    await q.revokeTokenById(tx, tokenId, clock.now());
    await appendAudit(tx, clock, { ...by, action: 'staff.token_revoked', subject: tokenId, details: { name: token.name } });
  });
}
