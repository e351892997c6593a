/**
 * The sandbox stand-in for Meta's Embedded Signup popup (www.facebook.com/dialog/oauth). It runs on
 * its OWN loopback listener, a second port and therefore a second origin, so that the app's exact
 * `event.origin` allow-list, cross-origin opener messaging and COOP behave as they do with Meta.
 *
 * Routes: GET /dialog/oauth (the page), GET /dialog/dialog.js and /dialog/dialog.css (its assets,
 * because the page's CSP allows 'self' only), POST /dialog/code (mints a real simulator code for the
 * picked assets; the page calls it, same-origin only).
 */
import type { AddressInfo } from 'node:net';
import Fastify, { LogController } from 'fastify';
import { z } from 'zod';
import { randomDigits } from '../options.js';
import { SimulatorInputError, type MetaSimulator } from '../simulator.js';
import { SIM_SCENARIOS } from '../types.js';
import { DIALOG_CSS, FINISH_VARIANTS, renderDialogError, renderDialogPage } from './dialog-page.js';
import { DIALOG_SCRIPT } from './dialog-script.js';

/** Options of startSignupDialog. */
export interface SignupDialogOptions {
  /** the simulator whose world is offered and whose codes are minted */
  simulator: MetaSimulator;
  /** the app's exact origin (scheme://host:port): the only targetOrigin the dialog posts to */
  appOrigin: string;
  /** loopback interface to bind; default 127.0.0.1 */
  host?: string;
  /** 0 (default) = any free port */
  port?: number;
}

/** A running dialog server. */
export interface RunningSignupDialog {
  /** the dialog's origin, e.g. http://127.0.0.1:41234: register it as the allowed message origin */
  origin: string;
  /** the dialog page URL without query (the SDK shim appends app_id, config_id, extras, state) */
  url: string;
  close(): Promise<void>;
}

/** The nonce the SDK shim generates; bounded so it can be echoed back safely. */
const STATE = /^[A-Za-z0-9_-]{8,128}$/;

const CodeRequest = z.strictObject({
  businessId: z.string().regex(/^\d{1,20}$/),
  wabaId: z.string().regex(/^\d{1,20}$/),
  phoneNumberId: z.string().regex(/^\d{1,20}$/).optional(),
  scenario: z.enum(SIM_SCENARIOS).optional(),
  variant: z.enum(FINISH_VARIANTS),
});

// The page's policy: nothing but its own script, stylesheet and the same-origin code request.
// frame-ancestors 'none': like Meta's dialog, it must be a top-level window, never framed.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Checks that `appOrigin` is a bare origin, since postMessage compares it exactly. */
function normaliseOrigin(appOrigin: string): string {
  let parsed: URL;
  try {
    parsed = new URL(appOrigin);
  } catch {
    throw new Error(`startSignupDialog: appOrigin is not a URL: ${appOrigin}`);
  }
  if (parsed.origin !== appOrigin) throw new Error(`startSignupDialog: appOrigin must be an exact origin like http://127.0.0.1:3000, got ${appOrigin}`);
  return parsed.origin;
}

/** Starts the dialog on its own listener and resolves once it accepts connections. */
export async function startSignupDialog(opts: SignupDialogOptions): Promise<RunningSignupDialog> {
  const appOrigin = normaliseOrigin(opts.appOrigin);
  const sim = opts.simulator;
  const host = opts.host ?? '127.0.0.1';
  // Request URLs carry the state nonce; minted codes never appear in URLs, but keep logs quiet anyway.
  const app = Fastify({ logger: false, logController: new LogController({ disableRequestLogging: true }), forceCloseConnections: true });
  let origin = '';

  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
    // The popup must keep its opener (COOP unsafe-none), exactly what Meta's dialog relies on.
    reply.header('cross-origin-opener-policy', 'unsafe-none');
    reply.header('cross-origin-resource-policy', 'same-origin');
  });

  app.get('/dialog/oauth', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '');
    reply.type('text/html; charset=utf-8');
    const fail = (msg: string) => reply.status(400).send(renderDialogError(msg));
    // Meta refuses an unknown app outright; so do we, which catches a mis-wired META app id.
    if (str('app_id') !== sim.options.appId) return fail(`Invalid App ID: ${str('app_id') || '(missing)'} is not the sandbox app.`);
    if (!STATE.test(str('state'))) return fail('Missing or malformed state: open this dialog through FB.login.');
    const extras = str('extras');
    if (extras !== '') {
      try {
        JSON.parse(extras);
      } catch {
        return fail('The extras parameter is not valid JSON.');
      }
    }
    return renderDialogPage({ appOrigin, appId: sim.options.appId, configId: str('config_id'), state: str('state'), extras, world: sim.describeWorld() });
  });

  app.get('/dialog/dialog.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(DIALOG_SCRIPT));
  app.get('/dialog/dialog.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(DIALOG_CSS));

  // Browsers ask for it on every page; an empty answer keeps 404s out of the tester's console.
  app.get('/favicon.ico', async (_req, reply) => reply.status(204).send());

  app.post('/dialog/code', async (req, reply) => {
    // Only the dialog page itself may mint codes: a cross-site form or fetch carries another Origin.
    if (req.headers.origin !== origin) return reply.status(403).send({ message: 'forbidden origin' });
    const parsed = CodeRequest.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send({ message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const p = parsed.data;
    const userId = randomDigits(16);
    try {
      const { code, expiresAt } = sim.mintCode({
        businessId: p.businessId,
        wabaId: p.wabaId,
        // FINISH_ONLY_WABA shares the WABA without a number, so the grant carries none.
        ...(p.variant !== 'FINISH_ONLY_WABA' && p.phoneNumberId !== undefined && { phoneNumberId: p.phoneNumberId }),
        ...(p.scenario !== undefined && { scenario: p.scenario }),
        userId,
      });
      return { code, userId, expiresAt: expiresAt.toISOString() };
    } catch (err) {
      if (err instanceof SimulatorInputError) return reply.status(400).send({ message: err.message });
      throw err;
    }
  });

  await app.listen({ host, port: opts.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { origin, url: `${origin}/dialog/oauth`, close: () => app.close() };
}
