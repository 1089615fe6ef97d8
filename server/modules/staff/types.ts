import type { Role, TokenScope } from './tables.js';

export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  mfaEnabled: boolean;
  createdAt: Date;
}

/** Who is making the request, and how they proved it. */
export interface StaffPrincipal {
  user: StaffUser;
  via: 'session' | 'token';
  sessionId: string | null;
  tokenId: string | null;
  /** What a token may do (never more than the owner's role); null for sessions. */
  tokenScope: TokenScope | null;
  mfaPending: boolean;
  /** Signed in at the company's OpenID provider, which reported a second factor. */
  mfaByProvider?: boolean;
}

export type RouteAccess = 'public' | Role;

export const ROLE_RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

export function roleAllows(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}
