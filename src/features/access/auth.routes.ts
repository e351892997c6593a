/** Routes: first-owner setup, sign-in, sign-out. Thin: validate -> guard -> one service call -> present. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { clearSessionCookie, sessionCookieName, setDeviceCookie, setSessionCookie, type CookieSettings } from '../../http/cookies.js';
import { AppError } from '../../http/errors.js';
import { clientInfo } from '../../http/guard.js';
import type { AccessDeps } from './access.deps.js';
import { presentUser } from './access.presenters.js';
import { setupBody, setupStatusQuery, setupStatusResponse, signInBody, userEnvelope } from './access.schemas.js';
import { signOut } from './account.service.js';
import { DEVICE_COOKIE } from './device-cookie.js';
import { completeSetup, getSetupStatus } from './setup.service.js';
import { recordAttempt, signIn } from './sign-in.service.js';
import { signInResponse } from './two-factor/two-factor.schemas.js';
import { findUserByEmail } from './users.repo.js';
import { noContent } from '../../http/schemas.js';

export interface AuthRouteDeps {
  access: AccessDeps;
  cookies: CookieSettings;
  signInRateLimit: { max: number; timeWindowMs: number };
  /** refused sign-ins are answered no sooner than this many ms after they arrived */
  failureFloorMs: number;
}

/**
 * The floor under a refused sign-in's answer. Every refusal runs one argon2 verify, but the database
 * work after it differs (a known account's failure is counted under a row lock; an unknown email's is
 * only recorded), and `npm run bench -- timing` measured that difference (~4 ms, about 17%) with a
 * Mann-Whitney test. Answering refusals no sooner than this after arrival hides it, while the
 * machine is not so loaded that the work itself takes longer. A timer, not a busy wait; successes are
 * never delayed.
 */
export const SIGN_IN_FAILURE_FLOOR_MS = 250;

async function atLeast<T>(startedAt: number, floorMs: number, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_credentials') {
      const wait = startedAt + floorMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    throw err;
  }
}

/** Registers /api/v1/setup*, /api/v1/auth/*. */
export async function authRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/setup/status', {
    config: { action: 'public.setup' },
    schema: { tags: ['setup'], querystring: setupStatusQuery, response: { 200: setupStatusResponse } },
  }, async (req) => getSetupStatus(deps.access, req.query.token));

  r.post('/api/v1/setup', {
    config: { action: 'public.setup', rateLimit: { max: 20, timeWindow: 60_000 } },
    schema: { tags: ['setup'], body: setupBody, response: { 201: userEnvelope } },
  }, async (req, reply) => {
    const { user, sessionToken } = await completeSetup(deps.access, req.body, clientInfo(req));
    setSessionCookie(reply, deps.cookies, sessionToken);
    return reply.status(201).send({ user: presentUser(user) });
  });

  r.post('/api/v1/auth/sign-in', {
    config: {
      action: 'public.sign_in',
      // Per-IP limit, checked after the body is parsed so the refusal is recorded against the account.
      rateLimit: {
        max: deps.signInRateLimit.max,
        timeWindow: deps.signInRateLimit.timeWindowMs,
        hook: 'preHandler',
        onExceeded: (req) => {
          const body = req.body as { email?: string } | undefined;
          void recordRateLimited(deps.access, body?.email, clientInfo(req)).catch((err: unknown) => req.log.error({ err }, 'could not record rate-limited attempt'));
        },
      },
    },
    schema: { tags: ['auth'], body: signInBody, response: { 200: signInResponse } },
  }, async (req, reply) => {
    const result = await atLeast(
      performance.now(),
      deps.failureFloorMs,
      signIn(
        deps.access,
        { ...req.body, deviceCookieValue: req.cookies[DEVICE_COOKIE], previousSessionToken: req.cookies[sessionCookieName(deps.cookies.secure)] },
        clientInfo(req),
      ),
    );
    setSessionCookie(reply, deps.cookies, result.sessionToken);
    if (result.deviceCookie) setDeviceCookie(reply, deps.cookies, result.deviceCookie);
    // `stage` only when the sign-in is not complete yet (a code owed, or enrolment first).
    return result.stage === 'full' ? { user: presentUser(result.user) } : { user: presentUser(result.user), stage: result.stage };
  });

  r.post('/api/v1/auth/sign-out', {
    config: { action: 'self.manage' },
    schema: { tags: ['auth'], response: { 204: noContent } },
  }, async (req, reply) => {
    await signOut(deps.access, req.caller!);
    clearSessionCookie(reply, deps.cookies);
    return reply.status(204).send(null);
  });
}

async function recordRateLimited(access: AccessDeps, email: string | undefined, client: ReturnType<typeof clientInfo>) {
  const user = typeof email === 'string' ? await findUserByEmail(access.db, email.trim().toLowerCase()) : undefined;
  await recordAttempt(access, { userId: user?.id ?? null, attemptedEmail: user ? null : (email?.slice(0, 320) ?? null), reason: 'rate_limited' }, client);
}
