/**
 * The connect step as its own server-rendered document (not the single-page app): GET /connect, its
 * script, and in sandbox mode the `window.FB` shim that opens the simulator's dialog.
 *
 * GET /connect declares 'onboarding.manage', so the permission table (and the role x route walk)
 * tell the truth about it. The guard refuses before the handler runs; a route-level error handler
 * turns those refusals into what a browser navigating to the page needs (a redirect to sign-in, an
 * HTML 403) and leaves every other client, and every other error, to the API's problem+json.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendNotFound } from '../../../http/error-handler.js';
import { AppError } from '../../../http/errors.js';
import { renderSandboxSdk, SANDBOX_SDK_CONTENT_TYPE } from '../../../meta-simulator/dialog/sandbox-sdk.js';
import { connectConfigOf, connectPageHeaders, renderConnectPage, renderForbiddenPage, SANDBOX_SDK_PATH, type ConnectSettings } from './connect-page.js';
import { CONNECT_SCRIPT_CONTENT_TYPE, renderConnectScript } from './connect-script.js';

/** Where a signed-out browser is sent; sign-in brings it back to /connect. */
export const CONNECT_SIGN_IN_URL = '/sign-in?next=%2Fconnect';

/** A top-level browser navigation (not fetch, not a test client without Accept). */
function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** Browser-friendly answers to the guard's refusals; anything else goes on to the app's handler. */
function connectErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AppError && wantsHtml(req)) {
    if (err.code === 'unauthenticated') return reply.redirect(CONNECT_SIGN_IN_URL, 302);
    if (err.code === 'forbidden') return reply.status(403).type('text/html; charset=utf-8').send(renderForbiddenPage());
  }
  // Rethrowing hands the error to the parent (the app's problem+json) handler.
  throw err;
}

/** Registers GET /connect, /connect/connect.js and /connect/sandbox-sdk.js. */
export async function connectRoutes(app: FastifyInstance, settings: ConnectSettings): Promise<void> {
  const config = connectConfigOf(settings);
  const page = renderConnectPage(config);
  const headers = connectPageHeaders(settings.sandbox);
  const script = renderConnectScript();
  // The shim is bound to the dialog's exact origin, known at start-up.
  const shim = settings.sandbox && settings.sandboxDialogOrigin ? renderSandboxSdk(settings.sandboxDialogOrigin) : null;

  app.get('/connect', { config: { action: 'onboarding.manage' }, schema: { hide: true }, errorHandler: connectErrorHandler }, async (_req, reply) =>
    // Overrides helmet's CSP and COOP for this page only (reply headers win over helmet's).
    reply.headers(headers).type('text/html; charset=utf-8').send(page),
  );

  app.get('/connect/connect.js', { config: { action: 'public.web' }, schema: { hide: true } }, async (_req, reply) =>
    reply.header('cache-control', 'no-cache').type(CONNECT_SCRIPT_CONTENT_TYPE).send(script),
  );

  app.get(SANDBOX_SDK_PATH, { config: { action: 'public.web' }, schema: { hide: true } }, async (req, reply) => {
    if (!shim) return sendNotFound(req, reply);
    return reply.header('cache-control', 'no-cache').type(SANDBOX_SDK_CONTENT_TYPE).send(shim);
  });
}
