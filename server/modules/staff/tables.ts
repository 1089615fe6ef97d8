import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../content/tables.js';

export type Role = 'admin' | 'editor' | 'viewer';

export interface StaffUsersTable {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  password_changed_at: Timestamp;
  disabled_at: Timestamp | null;
  mfa_secret: string | null;
  mfa_enabled_at: Timestamp | null;
  recovery_codes: ColumnType<string[], string | undefined, string>;
  created_at: Timestamp;
  /** Wrong second-factor codes in a row, across sessions; a growing delay follows. */
  mfa_failures: ColumnType<number, number | undefined, number>;
  mfa_blocked_until: Timestamp | null;
  /** The TOTP time-step last accepted: a code is good once. */
  totp_last_step: number | null;
  /** The OpenID provider's subject this account belongs to; null for a local account. */
  oidc_subject: ColumnType<string | null, string | null | undefined, string | null>;
  /** Made with the CLI: signs in with a local password even when local passwords are off. */
  break_glass: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface StaffSessionsTable {
  id: string;
  user_id: string;
  mfa_pending: boolean;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
  /** Wrong codes on this pending session; it ends after MFA_CODES_PER_SESSION. */
  mfa_failures: ColumnType<number, number | undefined, number>;
  /** Signed in at the OpenID provider, which reported a second factor (amr/acr). */
  mfa_by_provider: ColumnType<boolean, boolean | undefined, boolean>;
  /** The provider's ID token for a session started there, sent back when signing out; null once ended. */
  oidc_id_token: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  scope: ColumnType<TokenScope, TokenScope | undefined, TokenScope>;
  expires_at: Timestamp | null;
}

/** read: GET and HEAD only; write: whatever the owner's role allows. */
export type TokenScope = 'read' | 'write';

export interface LoginAttemptsTable {
  email: string;
  failures: number;
  last_failure_at: Timestamp;
  locked_until: Timestamp | null;
}

/** Failed sign-ins per (email, client address): a growing delay for that address only. */
export interface LoginFailuresTable {
  email: string;
  ip: string;
  failures: number;
  last_failure_at: Timestamp;
  blocked_until: Timestamp | null;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface StaffTables {
  staff_users: StaffUsersTable;
  staff_sessions: StaffSessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  login_failures: LoginFailuresTable;
  settings: SettingsTable;
}
