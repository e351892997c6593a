/**
 * Single sign-on with the one configured OpenID provider: authorization code flow with PKCE, state
 * and nonce. The start stores the flow (state hashed, nonce, verifier) for ten minutes and binds it
 * to the browser with a cookie holding the state; the callback takes the flow out once, lets
 * openid-client validate the code exchange and the ID token, then applies the CRM's rules: verified
 * email of an allowed domain, an active account (deactivation in the CRM wins), unknown users
 * refused or created, and the CRM's own 2FA unless the provider reports MFA.
 */
import { noticeNewSignIn } from '../../notifications/sign-in-notice.js';
import { issueDeviceCookie, readDeviceCookie } from '../device-cookie.js';
import type { Logger } from '../../../logger.js';
import { AppError } from '../../../http/errors.js';
import { hashToken, newToken, safeEqual } from '../../../lib/tokens.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { KeyRing } from '../../vault/keyring.js';
import { useSecret } from '../../vault/vault.service.js';
import type { SecretRef } from '../../vault/vault.types.js';
import type { AccessDeps, ClientInfo } from '../access.deps.js';
import { insertLoginActivity, type LoginReason } from '../login-activity.repo.js';
import { ROLE_RANK, type Role } from '../permissions.js';
import { requirementFor } from '../two-factor/policy.js';
import { listPolicies } from '../two-factor/two-factor.repo.js';
import { findUserByEmail, type UserRow } from '../users.repo.js';
import { authorizationUrl, exchangeCode, flowSecrets, providerConfig, providerUsedMfa, type VerifiedIdentity } from './oidc-client.js';
import {
  activateSsoUser,
  commitSsoSignIn,
  deleteExpiredOidcFlows,
  findSsoSettings,
  findUserBySubject,
  insertOidcFlow,
  insertSsoUser,
  linkSubject,
  takeOidcFlow,
  type SsoSettingsRow,
} from './sso.repo.js';

/** The provider redirects here: register PUBLIC_URL + this path as the client's redirect URI. */
export const CALLBACK_PATH = '/auth/sso/callback';
/** How long a started sign-in may take at the provider. */
export const FLOW_MS = 10 * 60_000;
/** The client secret in the vault. */
export const CLIENT_SECRET_REF: SecretRef = { ownerType: 'sso_settings', ownerId: '1', purpose: 'oidc_client_secret' };

export interface SsoDeps extends AccessDeps {
  keyring: KeyRing;
  logger: Logger;
}

export type FlowPurpose = 'sign_in' | 'test';

/** Why an SSO sign-in was refused: shown to the person (plain words in the UI), never a secret. */
export type SsoFailure =
  | 'not_configured'
  | 'bad_state'
  | 'expired'
  | 'provider_unavailable'
  | 'provider_error'
  | 'token_invalid'
  | 'email_unverified'
  | 'domain_not_allowed'
  | 'unknown_user'
  | 'account_inactive'
  | 'subject_mismatch';

export type SsoOutcome =
  | { kind: 'signed_in'; user: UserRow; sessionToken: string; stage: 'full' | 'second_factor' | 'enrol'; returnTo: string; deviceCookie: string | null }
  | { kind: 'tested'; mfa: boolean }
  | { kind: 'failed'; reason: SsoFailure; purpose: FlowPurpose };

class SsoRefusal extends Error {
  constructor(
    readonly reason: SsoFailure,
    readonly user: UserRow | null = null,
  ) {
    super(reason);
  }
}

/** The redirect URI of this deployment. */
export function redirectUriOf(publicUrl: URL): string {
  return new URL(CALLBACK_PATH, publicUrl).toString();
}

/** A same-site path to land on after sign-in; anything else becomes '/'. */
export function safeReturnTo(v: string | null | undefined): string {
  if (!v || v.length > 500 || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\') || /[\r\n]/.test(v)) return '/';
  return v;
}

/** True when `email` belongs to one of `domains` (exact domain match, case-insensitive). */
export function domainAllowed(email: string, domains: readonly string[]): boolean {
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const domain = email.slice(at + 1).toLowerCase();
  return domains.some((d) => d.toLowerCase() === domain);
}

/**
 * Starts a flow: stores its secrets and returns the provider's authorization URL and the state
 * (for the browser-binding cookie). `test` flows (owners trying the settings) work while disabled.
 */
export async function startSso(deps: SsoDeps, purpose: FlowPurpose, returnTo: string | null): Promise<{ url: string; state: string }> {
  const settings = await findSsoSettings(deps.db);
  if (!settings || (purpose === 'sign_in' && !settings.enabled)) throw new AppError('not_found', 'Single sign-on is not set up.');
  let config;
  try {
    // discovery needs no client secret; the exchange at the callback does
    config = await providerConfig(settings, '', deps.clock);
  } catch (err) {
    logProviderError(deps, 'discovery', err);
    throw new AppError('unavailable', `${settings.displayName} cannot be reached right now; try again later.`);
  }
  const s = await flowSecrets();
  const now = deps.clock.now();
  await deleteExpiredOidcFlows(deps.db, now);
  await insertOidcFlow(deps.db, {
    stateHash: hashToken(s.state),
    nonce: s.nonce,
    codeVerifier: s.codeVerifier,
    purpose,
    returnTo: safeReturnTo(returnTo),
    createdAt: now,
    expiresAt: new Date(now.getTime() + FLOW_MS),
  });
  const url = authorizationUrl(config, { redirectUri: redirectUriOf(deps.publicUrl), state: s.state, nonce: s.nonce, codeChallenge: s.codeChallenge });
  return { url: url.toString(), state: s.state };
}

/**
 * Completes a flow from the provider's redirect (`query`: the callback's query string as received;
 * `boundState`: the state cookie this browser got at the start). Never throws for the person's
 * mistakes or the provider's: the outcome says what happened, and refused sign-ins are in login activity.
 */
export async function completeSso(deps: SsoDeps, query: string, boundState: string | undefined, client: ClientInfo, deviceCookieValue?: string): Promise<SsoOutcome> {
  const params = new URLSearchParams(query);
  const state = params.get('state');
  // the state must be this browser's: a callback carried to another browser (login CSRF) is refused
  if (!state || state.length > 200 || !boundState || !safeEqual(state, boundState)) return fail(deps, 'sign_in', 'bad_state', null, null, client);
  const flow = await takeOidcFlow(deps.db, hashToken(state));
  if (!flow) return fail(deps, 'sign_in', 'bad_state', null, null, client);
  const purpose: FlowPurpose = flow.purpose === 'test' ? 'test' : 'sign_in';
  const now = deps.clock.now();
  if (flow.expiresAt.getTime() <= now.getTime()) return fail(deps, purpose, 'expired', null, null, client);
  const settings = await findSsoSettings(deps.db);
  if (!settings || (purpose === 'sign_in' && !settings.enabled)) return fail(deps, purpose, 'not_configured', null, null, client);
  if (params.has('error')) return fail(deps, purpose, 'provider_error', null, null, client);

  let identity: VerifiedIdentity;
  try {
    const callbackUrl = new URL(`${CALLBACK_PATH}?${query}`, deps.publicUrl);
    identity = await useSecret(
      deps.db,
      deps.keyring,
      CLIENT_SECRET_REF,
      'sso_code_exchange',
      { actorType: 'system', actorId: null, requestId: client.requestId },
      async (secret) => exchangeCode(await providerConfig(settings, secret, deps.clock), callbackUrl, { state, nonce: flow.nonce, codeVerifier: flow.codeVerifier }),
      deps.clock,
    );
  } catch (err) {
    const unreachable = isUnreachable(err);
    logProviderError(deps, 'code exchange', err);
    return fail(deps, purpose, unreachable ? 'provider_unavailable' : 'token_invalid', null, null, client);
  }
  if (!identity.email || !identity.emailVerified) return fail(deps, purpose, 'email_unverified', null, identity.email, client);
  if (!domainAllowed(identity.email, settings.allowedDomains)) return fail(deps, purpose, 'domain_not_allowed', null, identity.email, client);
  const mfa = providerUsedMfa(identity.amr);
  if (purpose === 'test') return { kind: 'tested', mfa };

  try {
    return await signInAs(deps, settings, { ...identity, email: identity.email }, mfa, flow.returnTo, client, deviceCookieValue);
  } catch (err) {
    if (err instanceof SsoRefusal) return fail(deps, purpose, err.reason, err.user, err.user ? null : identity.email, client);
    throw err;
  }
}

/** Finds (links, or creates) the account and starts its session, in one transaction. */
async function signInAs(
  deps: SsoDeps,
  settings: SsoSettingsRow,
  identity: VerifiedIdentity & { email: string },
  mfa: boolean,
  returnTo: string | null,
  client: ClientInfo,
  deviceCookieValue: string | undefined,
): Promise<SsoOutcome> {
  const policies = await listPolicies(deps.db);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const actor = (id: string) => ({ actorType: 'user' as const, actorId: id, requestId: client.requestId });
    let user = await findUserBySubject(tx, identity.subject);
    if (!user) {
      const byEmail = await findUserByEmail(tx, identity.email);
      if (byEmail) {
        // an account already tied to another identity of the provider is not taken over by this one
        if (byEmail.oidcSubject !== null) throw new SsoRefusal('subject_mismatch', byEmail);
        if (byEmail.status !== 'active') throw new SsoRefusal('account_inactive', byEmail);
        await linkSubject(tx, byEmail.id, identity.subject, now);
        await recordAudit(tx, deps.clock, actor(byEmail.id), { action: 'sso.user_linked', targetType: 'user', targetId: byEmail.id, details: {} });
        user = byEmail;
      } else {
        if (settings.unknownUsers !== 'invite') throw new SsoRefusal('unknown_user');
        // never above admin, whatever the stored setting says
        const role: Role = ROLE_RANK[settings.defaultRole] > ROLE_RANK.admin ? 'admin' : settings.defaultRole;
        const created = await insertSsoUser(tx, { email: identity.email, displayName: (identity.name ?? identity.email.split('@')[0]!).slice(0, 100), role, subject: identity.subject, at: now });
        await activateSsoUser(tx, created.id, now);
        await recordAudit(tx, deps.clock, actor(created.id), {
          action: 'sso.user_created',
          targetType: 'user',
          targetId: created.id,
          details: { role },
          personal: [
            { field: 'email', kind: 'after', subjectType: 'user', subjectId: created.id, value: identity.email },
            { field: 'displayName', kind: 'after', subjectType: 'user', subjectId: created.id, value: created.displayName },
          ],
        });
        user = { ...created, status: 'active' };
      }
    }
    if (user.status !== 'active') throw new SsoRefusal('account_inactive', user);
    // the provider's MFA satisfies the CRM's 2FA; otherwise the same stage as a password sign-in
    const stage = mfa
      ? 'full'
      : user.totpEnrolledAt !== null
        ? 'second_factor'
        : requirementFor(policies.find((p) => p.role === user.role), false, now).enforced
          ? 'enrol'
          : 'full';
    const token = newToken();
    const written = await commitSsoSignIn(tx, {
      userId: user.id,
      now,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      tokenHash: hashToken(token),
      expiresAt: new Date(now.getTime() + deps.sessionMaxMs),
      stage,
      secondFactor: mfa ? 'sso_mfa' : null,
    });
    if (!written) throw new SsoRefusal('account_inactive', user);
    // a browser this account signed in from before carries its device cookie; a new one gets one,
    // and the person is told of a sign-in from a new device or address (as after a password; when a
    // code is owed, the code step tells)
    const knownDevice = readDeviceCookie(deps.deviceKey, deviceCookieValue)?.userId === user.id;
    if (stage === 'full') await noticeNewSignIn(tx, user, knownDevice, client.ip, now);
    const deviceCookie = knownDevice ? null : issueDeviceCookie(deps.deviceKey, user.id);
    return { kind: 'signed_in' as const, user, sessionToken: token, stage, returnTo: safeReturnTo(returnTo), deviceCookie };
  });
}

/** Records a refused attempt (sign-in flows only) and returns the outcome. */
async function fail(deps: SsoDeps, purpose: FlowPurpose, reason: SsoFailure, user: UserRow | null, email: string | null, client: ClientInfo): Promise<SsoOutcome> {
  if (purpose === 'sign_in') {
    const loginReason: LoginReason =
      reason === 'account_inactive' ? 'deactivated' : reason === 'unknown_user' ? 'unknown_user' : ['domain_not_allowed', 'email_unverified', 'subject_mismatch'].includes(reason) ? 'sso_not_allowed' : 'sso_failed';
    await insertLoginActivity(deps.db, {
      at: deps.clock.now(),
      userId: user?.id ?? null,
      attemptedEmail: user ? null : (email?.slice(0, 320) ?? null),
      result: 'failure',
      reason: loginReason,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      method: 'oidc',
    });
  }
  return { kind: 'failed', reason, purpose };
}

/** Network failures and timeouts (the provider is down), as opposed to a bad answer. */
function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e instanceof Error && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
    if (e instanceof TypeError && /fetch failed/i.test(e.message)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|UND_ERR_)/.test(code)) return true;
  }
  return false;
}

/** Logs what went wrong with the provider: openid-client's code and message only (they carry no token, code or verifier). */
function logProviderError(deps: SsoDeps, step: string, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  deps.logger.warn({ step, errorName: e.name, errorCode: (e as { code?: unknown }).code, message: e.message.slice(0, 300) }, 'single sign-on: provider step failed');
}
