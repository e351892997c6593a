/**
 * Step-up: the one list of sensitive routes. The guard refuses them with 403 `step_up_required`
 * unless the session proved it is its user (password, TOTP code, or the sign-in itself) within the
 * last STEP_UP_MS; POST /api/v1/me/step-up gives that proof. step-up.db.test.ts checks that every
 * route listed here is registered, so a renamed route fails the test instead of silently losing
 * its protection.
 */
/** The default window (STEP_UP_SECONDS overrides it). */
export const STEP_UP_MS = 10 * 60_000;

/** `METHOD url` exactly as registered with Fastify (its `routeOptions.url`). */
export const STEP_UP_ROUTES: readonly string[] = [
  // onboarding: connect (start Embedded Signup), disconnect, reveal the registration PIN
  'POST /api/v1/onboarding/attempts',
  'POST /api/v1/onboarding/:id/disconnect',
  'POST /api/v1/onboarding/:id/pin/reveal',
  // users: remove, change role, reset someone's 2FA
  'POST /api/v1/users/:id/remove',
  'PATCH /api/v1/users/:id/role',
  'POST /api/v1/users/:id/two-factor/reset',
  // legal holds: place, lift
  'POST /api/v1/legal-holds',
  'POST /api/v1/legal-holds/:id/lift',
  // retention settings: change periods, run a purge
  'PUT /api/v1/retention/periods',
  'POST /api/v1/retention/purge',
  // security settings: the 2FA policy, single sign-on
  'PUT /api/v1/settings/two-factor/:role',
  'PUT /api/v1/settings/sso',
  // audit: export
  'GET /api/v1/audit/export',
];

const SET = new Set(STEP_UP_ROUTES);

/** True when the route needs a fresh proof. */
export function needsStepUp(method: string, url: string | undefined): boolean {
  return url !== undefined && SET.has(`${method} ${url}`);
}

/** True when the session's last proof is within `windowMs` of `now`. */
export function recentlyProved(provedAt: Date | null, now: Date, windowMs: number): boolean {
  return provedAt !== null && now.getTime() - provedAt.getTime() <= windowMs;
}
