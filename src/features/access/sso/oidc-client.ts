/**
 * The one use of openid-client (v6, functional API): discovery, the authorization URL (code flow,
 * PKCE S256, state, nonce) and the code exchange, whose ID token openid-client validates (signature
 * against the provider's JWKS, issuer, audience, expiry, nonce). "Now" for those checks is the app's
 * clock, passed as openid-client's clock skew. Plain http is accepted only for a loopback issuer
 * (local providers and tests).
 */
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Clock } from '../../../lib/clock.js';

/** Discovery, JWKS and token calls give up after this long: a provider that hangs is "down". */
const TIMEOUT_S = 10;
/** A discovered configuration is reused this long (it also caches the provider's signing keys). */
const CACHE_MS = 5 * 60_000;
const cache = new Map<string, { config: oidc.Configuration; at: number }>();

export interface ProviderSettings {
  issuer: string;
  clientId: string;
}

/** True when plain http is acceptable for this issuer: loopback only. */
export function insecureAllowed(issuer: URL): boolean {
  return issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
}

/**
 * The provider's configuration (discovered, cached per issuer, client and secret; an empty secret
 * for building authorization URLs only). Throws when the provider cannot be reached.
 */
export async function providerConfig(p: ProviderSettings, clientSecret: string, clock: Clock): Promise<oidc.Configuration> {
  // seconds between the app's clock and the machine's: openid-client judges exp/iat by the app's "now"
  const skew = Math.round((clock.now().getTime() - Date.now()) / 1000);
  const key = createHash('sha256').update(`${p.issuer}\n${p.clientId}\n${clientSecret}\n${skew}`).digest('hex');
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.config;
  if (cache.size > 100) cache.clear();
  const issuer = new URL(p.issuer);
  const config = await oidc.discovery(issuer, p.clientId, { [oidc.clockSkew]: skew }, clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(), {
    timeout: TIMEOUT_S,
    ...(insecureAllowed(issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
  cache.set(key, { config, at: Date.now() });
  return config;
}

/** Forgets cached configurations (settings changed). */
export function forgetProviderConfigs(): void {
  cache.clear();
}

/** Fresh secrets of one flow: state, nonce, PKCE verifier and its challenge. */
export async function flowSecrets(): Promise<{ state: string; nonce: string; codeVerifier: string; codeChallenge: string }> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier, codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier) };
}

/** The provider's authorization URL for a code flow with PKCE, state and nonce. */
export function authorizationUrl(config: oidc.Configuration, v: { redirectUri: string; state: string; nonce: string; codeChallenge: string }): URL {
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: v.redirectUri,
    scope: 'openid email profile',
    response_type: 'code',
    code_challenge: v.codeChallenge,
    code_challenge_method: 'S256',
    state: v.state,
    nonce: v.nonce,
  });
}

/** What the app reads from a validated ID token. */
export interface VerifiedIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** authentication methods the provider reports (RFC 8176), e.g. pwd, otp, mfa */
  amr: string[];
}

/**
 * Exchanges the code of `callbackUrl` (the full URL the provider redirected to) and validates the
 * ID token; throws openid-client's errors on any mismatch (state, nonce, signature, issuer,
 * audience, expiry) or when the provider cannot be reached.
 */
export async function exchangeCode(
  config: oidc.Configuration,
  callbackUrl: URL,
  checks: { state: string; nonce: string; codeVerifier: string },
): Promise<VerifiedIdentity> {
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (!claims) throw new Error('the provider returned no ID token');
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
  return {
    subject: claims.sub,
    email: str(claims.email)?.toLowerCase() ?? null,
    // some providers send the string "true"; anything else is unverified
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    name: str(claims.name),
    amr: Array.isArray(claims.amr) ? claims.amr.filter((a): a is string => typeof a === 'string') : [],
  };
}

/** True when the provider says the person used more than one factor (RFC 8176 `mfa`, or a second-factor method). */
export function providerUsedMfa(amr: readonly string[]): boolean {
  return amr.some((a) => ['mfa', 'otp', 'hwk', 'swk', 'sc', 'fpt', 'face', 'iris', 'retina', 'vbm'].includes(a.toLowerCase()));
}
