/**
 * Authorization, first layer: before anything else runs, the route's declared action is checked
 * against the permission table. Public actions pass; others need a live session whose user's role
 * the table allows, or a personal API token (`Authorization: Bearer`) whose role the table allows.
 * CSRF: unsafe methods must come from PUBLIC_URL's origin and carry a header that a cross-site form
 * cannot send — except requests authenticated by a bearer token, which a browser never attaches
 * on its own (the cookie is then ignored).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPublic, loopbackMay, roleMay, tokenMay, type Action } from '../features/access/permissions.js';
import { resolveApiToken } from '../features/access/api-tokens/api-tokens.service.js';
import { clearActingCredential, markActingCredential } from '../features/audit/acting-credential.js';
import type { AccessDeps } from '../features/access/access.deps.js';
import { resolveSession } from '../features/access/sessions.service.js';
import { stageAllows } from '../features/access/two-factor/session-stage.js';
import { STEP_UP_MS, needsStepUp, recentlyProved } from '../features/access/two-factor/step-up.js';
import { AppError } from './errors.js';
import { sessionCookieName } from './cookies.js';

export const CSRF_HEADER = 'x-csrf-protection';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A loopback client: 127.0.0.0/8 or ::1. `req.ip` is the TCP peer, or with TRUST_PROXY the forwarded
 * client address, so a request relayed by a trusted proxy from elsewhere is not loopback.
 */
export function isLoopback(ip: string | undefined): boolean {
  if (!ip) return false;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The network facts of a request, for audit and login activity. */
export function clientInfo(req: FastifyRequest) {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null, requestId: req.id };
}

/** A registered route and the action it declared (read by the role x route test and the docs). */
export interface RouteAction {
  method: string;
  url: string;
  action: Action;
}

/** Registers the guard on every route; refuses to register a route that declares no action. */
export function registerGuard(
  app: FastifyInstance,
  deps: AccessDeps & { secure: boolean; publicOrigin: string; stepUpMs?: number; apiTokenRatePerMinute?: number },
): RouteAction[] {
  const table: RouteAction[] = [];
  app.decorateRequest('caller', null);
  // per-token allowance, counted in the shared PostgreSQL store (@fastify/rate-limit is registered first)
  const tokenLimit = app.hasDecorator('createRateLimit')
    ? app.createRateLimit({ max: deps.apiTokenRatePerMinute ?? 600, timeWindow: 60_000, keyGenerator: (req) => `api-token:${req.caller?.apiTokenId ?? ''}` })
    : null;
  app.addHook('onRoute', (route) => {
    const action = route.config?.action;
    if (!action) throw new Error(`route ${String(route.method)} ${route.url} declares no permission action`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') table.push({ method, url: route.url, action });
  });
  app.addHook('onRequest', async (req) => {
    const action: Action | undefined = req.routeOptions.config?.action;
    if (!action) return; // not-found handler
    // Loopback clients of loopback actions (the server's own Graph client, local tools) carry no cookie: no CSRF risk.
    if (loopbackMay(action) && isLoopback(req.ip)) return;
    const bearer = isPublic(action) ? null : bearerOf(req);
    if (bearer === null && !SAFE_METHODS.has(req.method) && (req.url.startsWith('/api/') || req.url.startsWith('/sandbox/') || req.url.startsWith('/onboard/'))) {
      checkCsrf(req, deps.publicOrigin);
    }
    if (isPublic(action)) return;
    if (bearer !== null) return authenticateToken(req, action, bearer);
    const found = await resolveSession(deps, req.cookies[sessionCookieName(deps.secure)]);
    if (!found) throw new AppError('unauthenticated', 'Sign in to continue.');
    // A session still owing a code, or enrolment, reaches only the routes of that step.
    if (!stageAllows(found.session.stage, req.method, req.routeOptions.url)) {
      throw found.session.stage === 'enrol'
        ? new AppError('enrolment_required', 'Set up two-factor authentication to continue.')
        : new AppError('second_factor_required', 'Enter the code from your authenticator app to continue.');
    }
    if (!roleMay(found.user.role, action)) throw new AppError('forbidden', 'Your role does not allow this.');
    if (needsStepUp(req.method, req.routeOptions.url) && !recentlyProved(found.session.provedAt, deps.clock.now(), deps.stepUpMs ?? STEP_UP_MS)) {
      throw new AppError('step_up_required', 'Confirm it is you: enter your password or a code from your authenticator app.');
    }
    req.caller = { user: found.user, sessionId: found.session.id, client: clientInfo(req) };
  });
  app.addHook('onResponse', async (req) => {
    if (req.caller?.apiTokenId) clearActingCredential(req.id);
  });

  /** A personal API token: the caller acts at the token's role (never above it), for its creator. */
  async function authenticateToken(req: FastifyRequest, action: Action, bearer: string): Promise<void> {
    const found = await resolveApiToken(deps, bearer);
    if (!found) throw new AppError('unauthenticated', 'The API token is unknown, expired or revoked.');
    if (!tokenMay(found.token.role, action)) {
      throw new AppError('forbidden', roleMay(found.token.role, action) ? 'API tokens cannot do this; sign in instead.' : "The token's role does not allow this.");
    }
    if (needsStepUp(req.method, req.routeOptions.url)) throw new AppError('forbidden', 'This action needs a person to confirm it; API tokens cannot do it.');
    req.caller = { user: { ...found.user, role: found.token.role }, sessionId: null, apiTokenId: found.token.id, client: clientInfo(req) };
    if (tokenLimit) {
      const verdict = await tokenLimit(req);
      if (!verdict.isAllowed && verdict.isExceeded) {
        throw new AppError('rate_limited', 'Too many requests with this API token; try again later.', undefined, { 'retry-after': String(verdict.ttlInSeconds) });
      }
    }
    markActingCredential(req.id, found.token.id, found.user.id);
  }
  return table;
}

/** The token of an `Authorization: Bearer` header, or null when there is none. */
function bearerOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  // other schemes (a proxy's Basic auth) are not ours: the cookie decides
  if (!/^bearer(\s|$)/i.test(h)) return null;
  // a malformed Bearer header is refused as an unknown token, never ignored in favour of a cookie
  return /^bearer +(\S+) *$/i.exec(h)?.[1] ?? '';
}

/** The request's Origin, or the origin of its Referer when a browser omitted Origin. */
function requestOrigin(req: FastifyRequest): string | null {
  if (typeof req.headers.origin === 'string') return req.headers.origin;
  const referer = req.headers.referer;
  if (typeof referer !== 'string') return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

function checkCsrf(req: FastifyRequest, publicOrigin: string): void {
  if (requestOrigin(req) !== publicOrigin) throw new AppError('csrf_failed', 'Request origin not allowed.');
  if (req.headers[CSRF_HEADER] !== '1') throw new AppError('csrf_failed', `Missing ${CSRF_HEADER} header.`);
}
