/**
 * Routes: single sign-on. `/auth/sso/start` and `/auth/sso/callback` are browser navigations (302s,
 * not API calls); `GET /api/v1/auth/sso` tells the sign-in page whether to offer the button; the
 * settings and the owner's "test sign-in" live under /api/v1/settings/sso.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { setDeviceCookie, setSessionCookie, type CookieSettings } from '../../../http/cookies.js';
import { DEVICE_COOKIE } from '../device-cookie.js';
import { clientInfo } from '../../../http/guard.js';
import { ssoPublicInfo, ssoSettingsBody, ssoSettingsResponse, ssoStartQuery, ssoTestResponse } from './sso.schemas.js';
import { publicSsoInfo, readSsoSettings, saveSsoSettings, type SsoSettingsView } from './sso-settings.service.js';
import { FLOW_MS, completeSso, startSso, type SsoDeps } from './sso.service.js';
import { AppError } from '../../../http/errors.js';

/** Binds a flow to the browser that started it (the state; HttpOnly, only sent to the SSO paths). */
const STATE_COOKIE = 'crm_sso_state';
const COOKIE_PATH = '/auth/sso';
const LIMIT = { max: 30, timeWindow: 60_000 };

export async function ssoRoutes(app: FastifyInstance, deps: { sso: SsoDeps; cookies: CookieSettings }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.sso;
  const setState = (reply: FastifyReply, state: string) =>
    reply.setCookie(STATE_COOKIE, state, { httpOnly: true, sameSite: 'lax', secure: deps.cookies.secure, path: COOKIE_PATH, maxAge: FLOW_MS / 1000 });
  const present = (v: SsoSettingsView) => ({
    settings: v.settings
      ? {
          enabled: v.settings.enabled,
          issuer: v.settings.issuer,
          clientId: v.settings.clientId,
          displayName: v.settings.displayName,
          allowedDomains: v.settings.allowedDomains,
          unknownUsers: v.settings.unknownUsers === 'invite' ? ('invite' as const) : ('refuse' as const),
          defaultRole: v.settings.defaultRole,
          passwordForNonOwners: v.settings.passwordForNonOwners,
          updatedAt: v.settings.updatedAt,
        }
      : null,
    clientSecretSet: v.clientSecretSet,
    redirectUri: v.redirectUri,
  });

  r.get('/api/v1/auth/sso', {
    config: { action: 'public.sso' },
    schema: { tags: ['auth'], response: { 200: ssoPublicInfo } },
  }, async () => publicSsoInfo(d));

  r.get('/auth/sso/start', {
    config: { action: 'public.sso', rateLimit: LIMIT },
    schema: { hide: true, querystring: ssoStartQuery },
  }, async (req, reply) => {
    try {
      const { url, state } = await startSso(d, 'sign_in', req.query.returnTo ?? null);
      setState(reply, state);
      return reply.redirect(url, 302);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return reply.redirect(`/sign-in?sso_error=${err.code === 'unavailable' ? 'provider_unavailable' : 'not_configured'}`, 302);
    }
  });

  r.get('/auth/sso/callback', {
    config: { action: 'public.sso', rateLimit: LIMIT },
    schema: { hide: true },
  }, async (req, reply) => {
    const q = req.url.indexOf('?');
    const outcome = await completeSso(d, q >= 0 ? req.url.slice(q + 1) : '', req.cookies[STATE_COOKIE], clientInfo(req), req.cookies[DEVICE_COOKIE]);
    reply.clearCookie(STATE_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: deps.cookies.secure });
    switch (outcome.kind) {
      case 'signed_in': {
        setSessionCookie(reply, deps.cookies, outcome.sessionToken);
        if (outcome.deviceCookie) setDeviceCookie(reply, deps.cookies, outcome.deviceCookie);
        // a code is owed, or enrolment: the sign-in page shows that step, then goes on
        const target = outcome.stage === 'full' ? outcome.returnTo : `/sign-in?sso=${outcome.stage}&next=${encodeURIComponent(outcome.returnTo)}`;
        return reply.redirect(target, 302);
      }
      case 'tested':
        return reply.redirect(`/settings?sso_test=ok&mfa=${outcome.mfa ? 1 : 0}`, 302);
      case 'failed':
        return reply.redirect(outcome.purpose === 'test' ? `/settings?sso_test=failed&reason=${outcome.reason}` : `/sign-in?sso_error=${outcome.reason}`, 302);
    }
  });

  r.get('/api/v1/settings/sso', {
    config: { action: 'settings.manage' },
    schema: { tags: ['settings'], response: { 200: ssoSettingsResponse } },
  }, async () => present(await readSsoSettings(d)));

  r.put('/api/v1/settings/sso', {
    config: { action: 'settings.manage' },
    schema: { tags: ['settings'], body: ssoSettingsBody, response: { 200: ssoSettingsResponse } },
  }, async (req) => present(await saveSsoSettings(d, req.caller!, req.body)));

  r.post('/api/v1/settings/sso/test', {
    config: { action: 'settings.manage' },
    schema: { tags: ['settings'], response: { 200: ssoTestResponse } },
  }, async (req, reply) => {
    const { url, state } = await startSso(d, 'test', null);
    setState(reply, state);
    return { url };
  });
}
