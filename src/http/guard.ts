/**
 * Authorization, first layer: before anything else runs, the route's declared action is checked
 * against the permission table. Public actions pass; others need a live session whose user's role
 * the table allows. CSRF: unsafe methods must come from PUBLIC_URL's origin and carry a header
 * that a cross-site form cannot send.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPublic, loopbackMay, roleMay, type Action } from '../features/access/permissions.js';
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
export function registerGuard(app: FastifyInstance, deps: AccessDeps & { secure: boolean; publicOrigin: string; stepUpMs?: number }): RouteAction[] {
  const table: RouteAction[] = [];
  app.decorateRequest('caller', null);
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
    if (!SAFE_METHODS.has(req.method) && (req.url.startsWith('/api/') || req.url.startsWith('/sandbox/') || req.url.startsWith('/onboard/'))) checkCsrf(req, deps.publicOrigin);
    if (isPublic(action)) return;
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
  return table;
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
