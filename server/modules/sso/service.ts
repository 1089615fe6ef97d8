import type { Kysely } from 'kysely';
import { randomBytes, randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Clock } from '../../clock.js';
import type { OidcConfig } from '../../config.js';
import type { Database } from '../../db/database.js';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';
import { appendAudit } from '../audit/service.js';
import { hashPassword } from '../staff/passwords.js';
import { normaliseEmail, toStaffUser } from '../staff/service.js';
import type { Role } from '../staff/tables.js';
import type { StaffUser } from '../staff/types.js';
import { ROLE_RANK } from '../staff/types.js';
import * as q from './queries.js';

/** Where the sign-in starts; the provider sends the browser back to `${OIDC_FLOW_PATH}/callback`. */
export const OIDC_FLOW_PATH = '/admin/login/oidc';

/** The app's one client of the provider (null without OIDC_ISSUER), shared by sign-in and sign-out. */
export function createOidcClient(config: { oidc: OidcConfig | null; baseUrl: string }, clock: Clock, customFetch?: oidc.CustomFetch): OidcClient | null {
  return config.oidc ? new OidcClient(config.oidc, `${config.baseUrl}${OIDC_FLOW_PATH}/callback`, clock, customFetch) : null;
}

/** What the browser carries between leaving for the provider and coming back (a signed cookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export interface ProviderIdentity {
  subject: string;
  email: string;
  name: string | null;
  groups: string[];
  /** The provider reported a second factor (amr or acr among the configured values). */
  mfa: boolean;
  /** The ID token itself, kept with the session for signing out at the provider. */
  idToken: string;
}

/**
 * The client side of the authorization-code flow with PKCE, through `openid-client`. Discovery
 * runs once, on first use, so an instance starts even while the provider is unreachable.
 */
export class OidcClient {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    private readonly settings: OidcConfig,
    private readonly redirectUri: string,
    private readonly clock: Clock,
    /** Tests only: see what the provider answers (or change it) on its way in. */
    private readonly customFetch?: oidc.CustomFetch,
  ) {}

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, {
        // config.ts admits http:// only for a provider on this machine.
        ...(this.insecure() ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        this.configuration = null;
        throw error;
      });
    return this.configuration;
  }

  private insecure(): boolean {
    return this.settings.issuer.startsWith('http:');
  }

  /** The discovered provider with this client, judging token times on the app's clock. */
  private async configured(): Promise<oidc.Configuration> {
    const discovered = await this.discover();
    const skew = Math.round((this.clock.now().getTime() - Date.now()) / 1000);
    const configuration = new oidc.Configuration(discovered.serverMetadata(), this.settings.clientId, { client_secret: this.settings.clientSecret, [oidc.clockSkew]: skew });
    if (this.insecure()) oidc.allowInsecureRequests(configuration);
    if (this.customFetch) configuration[oidc.customFetch] = this.customFetch;
    return configuration;
  }

  async begin(next: string): Promise<{ url: string; pending: PendingSignIn }> {
    const configuration = await this.configured();
    const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), next };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** Checks the provider's answer (state, code, ID token signature, issuer, audience, expiry, nonce) and reads who it is. */
  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<ProviderIdentity> {
    const configuration = await this.configured();
    let claims: oidc.IDToken | undefined;
    let idToken: string | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      idToken = tokens.id_token;
    } catch (error) {
      throw new UnauthorizedError(`Sign-in with your company account failed: ${describe(error)}. Try again.`);
    }
    if (!claims || !idToken) throw new UnauthorizedError('Sign-in with your company account failed: the provider sent no ID token.');
    const email = typeof claims.email === 'string' ? claims.email : null;
    if (!email) throw new ForbiddenError('Your company account has no e-mail address the portal can use; ask your administrator.');
    const rawGroups = claims[this.settings.roleClaim];
    const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : typeof rawGroups === 'string' ? [rawGroups] : [];
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
    const acr = typeof claims.acr === 'string' ? [claims.acr] : [];
    return {
      subject: claims.sub,
      email,
      name: typeof claims.name === 'string' ? claims.name : null,
      groups,
      mfa: [...amr, ...acr].some((v) => this.settings.mfaValues.includes(v)),
      idToken,
    };
  }

  /**
   * Where to send a browser signing out of a session started at the provider (RP-initiated
   * logout), or null when the provider offers no end_session_endpoint or cannot be reached: the
   * local session has ended either way.
   */
  async endSessionUrl(idToken: string, postLogoutRedirectUri: string): Promise<string | null> {
    try {
      const configuration = await this.configured();
      if (!configuration.serverMetadata().end_session_endpoint) return null;
      return oidc.buildEndSessionUrl(configuration, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri }).href;
    } catch {
      return null;
    }
  }
}

/** Says in words which check failed; the library's error (and its cause) name the claim. */
function describe(error: unknown): string {
  if (error instanceof oidc.AuthorizationResponseError) return `the provider refused (${error.error})`;
  if (!(error instanceof Error)) return 'unknown error';
  const detail = `${error.message} ${error.cause instanceof Error ? error.cause.message : ''}`;
  if (/"state"/.test(detail)) return 'the answer does not belong to this sign-in (state)';
  if (/"aud"/.test(detail)) return 'the ID token was issued to another application (audience)';
  if (/"exp"/.test(detail)) return 'the ID token has expired';
  if (/"nonce"/.test(detail)) return 'the ID token does not belong to this sign-in (nonce)';
  if (/"iss"/.test(detail)) return 'the ID token comes from another issuer';
  return error.message.replace(/[\r\n]+/g, ' ').slice(0, 200);
}

/** The highest role any of the person's groups maps to; null when none does (no access). */
export function roleFromGroups(groups: readonly string[], roleMap: OidcConfig['roleMap']): Role | null {
  let best: Role | null = null;
  for (const group of groups) {
    const role = roleMap[group];
    if (role && (!best || ROLE_RANK[role] > ROLE_RANK[best])) best = role;
  }
  return best;
}

/**
 * The account for a provider sign-in: found by subject, or linked by e-mail to an existing local
 * account, or created just in time. Its role follows the groups at every sign-in, so a change at
 * the provider takes effect at the next one (at the latest when the 12-hour session ends). The
 * break-glass admin is never linked or re-grouped.
 */
export async function accountForIdentity(db: Kysely<Database>, clock: Clock, settings: OidcConfig, who: ProviderIdentity, ip: string | null): Promise<StaffUser> {
  const role = roleFromGroups(who.groups, settings.roleMap);
  // A refusal that records something (the audit entry, ended sessions) commits before it is thrown.
  const outcome = await db.transaction().execute(async (tx): Promise<StaffUser | { refused: string }> => {
    const now = clock.now();
    const actor = { actor: 'oidc', actorKind: 'system' as const, ip };
    let user = await q.findUserBySubject(tx, who.subject);
    if (!user) {
      const byEmail = await q.findUserByEmail(tx, who.email);
      if (byEmail?.break_glass) throw new ForbiddenError('This is the break-glass account: it signs in with its local password only.');
      if (byEmail?.oidc_subject) throw new ForbiddenError('This e-mail address belongs to another company account; ask your administrator.');
      if (!role) {
        await appendAudit(tx, clock, { ...actor, action: 'staff.oidc_refused', subject: who.email, details: { groups: who.groups } });
        return { refused: NO_GROUP };
      }
      if (byEmail) {
        await q.linkSubject(tx, byEmail.id, who.subject);
        await appendAudit(tx, clock, { ...actor, action: 'staff.oidc_linked', subject: byEmail.email });
      } else {
        // Nobody knows this password: the account signs in through the provider only.
        const id = randomUUID();
        await q.insertProviderUser(tx, { id, email: normaliseEmail(who.email), name: who.name?.trim() || who.email.split('@')[0], role, subject: who.subject, passwordHash: await hashPassword(randomBytes(32).toString('base64url')), at: now });
        await appendAudit(tx, clock, { ...actor, action: 'staff.user_created', subject: who.email, details: { role, via: 'oidc' } });
      }
      user = (await q.findUserBySubject(tx, who.subject))!;
    }
    if (user.disabled_at) throw new ForbiddenError('This account is disabled; ask your administrator.');
    if (!role) {
      // Removed from every mapped group at the provider: no access, and no session left behind.
      await q.revokeSessions(tx, user.id, now);
      await appendAudit(tx, clock, { ...actor, action: 'staff.oidc_refused', subject: user.email, details: { groups: who.groups } });
      return { refused: NO_GROUP };
    }
    if (user.role !== role) {
      await q.setRole(tx, user.id, role);
      await appendAudit(tx, clock, { ...actor, action: 'staff.role_changed', subject: user.email, details: { from: user.role, to: role, groups: who.groups } });
      user = { ...user, role };
    }
    return toStaffUser(user);
  });
  if ('refused' in outcome) throw new ForbiddenError(outcome.refused);
  return outcome;
}

const NO_GROUP = 'Your company account is in no group that gives access to the portal; ask your administrator.';
