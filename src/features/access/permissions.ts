/**
 * The permission model of ../shared/permissions.md as data. Route guards, service policies, the
 * abilities sent to the UI, the role × route test and docs/SECURITY.md all read this one table.
 * Adding an action means adding a row here (and to docs/SECURITY.md).
 */
export const ROLES = ['owner', 'admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Higher number = more power. Nobody grants or acts above their own rank. */
export const ROLE_RANK: Record<Role, number> = { owner: 4, admin: 3, operator: 2, viewer: 1 };

type Who = 'public' | readonly Role[];

/** A permission row: who may act; `loopback` also lets in unauthenticated loopback clients (see permissions.md). */
interface Permission {
  who: Who;
  describe: string;
  loopback?: true;
}

const ALL: readonly Role[] = ROLES;
const OWNER_ADMIN: readonly Role[] = ['owner', 'admin'];
const STAFF: readonly Role[] = ['owner', 'admin', 'operator'];
const OWNER: readonly Role[] = ['owner'];

/**
 * Every action, who may take it, and what it means. `public` actions need no session (they are
 * authenticated otherwise: a link token, Meta's signature, or nothing for health checks).
 */
export const PERMISSIONS = {
  // --- public -------------------------------------------------------------------------------
  'public.health': { who: 'public', describe: 'liveness and readiness probes' },
  'public.api_spec': { who: 'public', describe: 'the OpenAPI document' },
  'public.setup': { who: 'public', describe: 'first-owner setup through a one-time setup link' },
  'public.sign_in': { who: 'public', describe: 'sign in with email and password' },
  'public.sso': {
    who: 'public',
    describe: 'single sign-on: whether it is offered, its start and the OpenID provider callback (authenticated by the provider)',
  },
  'public.invitation': { who: 'public', describe: 'check and accept an invitation link (authorised by the link token)' },
  'public.password_reset': { who: 'public', describe: 'ask for, check and use a password reset link (authorised by the link token)' },
  'public.web': { who: 'public', describe: 'the web UI assets' },
  'public.meta_webhooks': { who: 'public', describe: "Meta's webhook verification and deliveries (authenticated by Meta's signature)" },
  'public.onboarding_link': {
    who: 'public',
    describe: "a customer's onboarding page and its requests (authorised by the onboarding link, then its cookie)",
  },
  'public.meta_callbacks': { who: 'public', describe: "Meta's deauthorize and data deletion callbacks (authenticated by signed_request)" },
  'public.metrics': {
    who: 'public',
    loopback: true,
    describe: 'Prometheus metrics at /metrics: the METRICS_TOKEN bearer token when set, else loopback clients only',
  },
  'public.deletion_status': { who: 'public', describe: 'the status page of a data deletion request, by its confirmation code' },
  'public.privacy_pages': {
    who: 'public',
    describe: 'the privacy policy and data deletion pages, the deletion request form and its emailed verification link',
  },

  // --- own account (any signed-in user) --------------------------------------------------------
  'self.read': { who: ALL, describe: 'see own profile and abilities' },
  'self.manage': { who: ALL, describe: 'own profile, own password, own sessions, sign out' },
  'self.activity.read': { who: ALL, describe: 'own login activity' },
  'self.notifications': { who: ALL, describe: 'own notifications (list, mark read) and notification mail preferences' },
  'self.tokens': { who: ALL, describe: 'create personal API tokens (role no higher than own)' },
  'self.privacy': { who: ALL, describe: '"My data": file and follow own access, correction and deletion requests, download own data' },

  // --- overview -------------------------------------------------------------------------------
  'overview.read': {
    who: ALL,
    describe: 'the overview page; each panel only with the permission of the list behind it (onboarding.read, users.activity.read, webhooks.read, privacy.manage)',
  },

  // --- users ----------------------------------------------------------------------------------
  'users.list': { who: ALL, describe: 'see the users list (name, email, role, status, last sign-in)' },
  'users.activity.read': { who: OWNER_ADMIN, describe: "see another user's login activity and sessions" },
  'users.invite': { who: OWNER_ADMIN, describe: 'invite a user, resend or revoke an invitation' },
  'users.role.change': { who: OWNER_ADMIN, describe: "change a user's role" },
  'users.manage': {
    who: OWNER_ADMIN,
    describe: 'deactivate, reactivate, remove a user; end their sessions; unlock; send a password reset',
  },
  'users.2fa.reset': { who: OWNER_ADMIN, describe: "reset another user's 2FA" },

  // --- WhatsApp onboarding ----------------------------------------------------------------------
  'onboarding.read': { who: ALL, describe: 'see onboarding records, phone numbers, token health' },
  'onboarding.manage': {
    who: OWNER_ADMIN,
    describe: 'connect, reconnect, disconnect a WABA; send an onboarding link; enter a registration PIN',
  },
  'onboarding.pin.reveal': { who: OWNER, describe: 'reveal a registration PIN once before it is erased' },
  'onboarding.retry': { who: STAFF, describe: 'retry a failed onboarding step; refresh phone number lookups' },

  // --- webhooks ---------------------------------------------------------------------------------
  'webhooks.read': { who: STAFF, describe: 'see the webhook event log (no message content)' },
  'webhooks.reprocess': { who: OWNER_ADMIN, describe: 'reprocess a failed webhook event' },

  // --- audit and privacy ------------------------------------------------------------------------
  'audit.read': { who: OWNER_ADMIN, describe: 'see, filter and export the audit log; verify the chain' },
  'privacy.manage': { who: OWNER_ADMIN, describe: 'see and work the privacy request queue' },
  'legal_hold.manage': { who: OWNER, describe: 'place or lift a legal hold' },
  'settings.manage': {
    who: OWNER,
    describe: 'retention periods, security settings, organisation-wide notification settings',
  },

  // --- development and tooling ------------------------------------------------------------------
  'outbox.read': { who: OWNER_ADMIN, describe: 'see the mail outbox (sandbox and development only)' },
  'sandbox.use': { who: OWNER_ADMIN, describe: 'use the sandbox panel (sandbox only)' },
  'sandbox.simulator': {
    who: OWNER_ADMIN,
    loopback: true,
    describe: "the Meta simulator's Graph API and code minting (sandbox only): loopback clients, or signed-in owners and admins",
  },
  'api_docs.read': { who: OWNER_ADMIN, describe: 'browse the API documentation at /api/docs' },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof PERMISSIONS;

/**
 * Public actions authenticated by a secret instead of a session (Meta's webhook verify token and
 * X-Hub-Signature-256; the METRICS_TOKEN bearer or a loopback peer): a remote request without that
 * proof is refused with 401 or 403 whoever sends it. The role x route walk
 * (src/http/route-walk.db.test.ts) expects exactly that refusal from them.
 */
export const SECRET_AUTHENTICATED_ACTIONS: readonly Action[] = ['public.meta_webhooks', 'public.metrics'];

/**
 * Actions a personal API token never takes, whatever its role: managing the person's own sign-in
 * (password, sessions, 2FA, sign-out) and minting or revoking tokens, so a leaked token cannot
 * entrench itself. Routes listed in step-up.ts are refused to tokens too (a token proves nothing
 * fresh). The guard and the role x route walk read this list.
 */
export const SESSION_ONLY_ACTIONS: readonly Action[] = ['self.manage', 'self.tokens'];

/** True when an API token of `role` may take `action` (the route may still need step-up, which tokens cannot give). */
export function tokenMay(role: Role, action: Action): boolean {
  return !SESSION_ONLY_ACTIONS.includes(action) && roleMay(role, action);
}

/** True when the action needs no session. */
export function isPublic(action: Action): boolean {
  return PERMISSIONS[action].who === 'public';
}

/** True when loopback clients may take the action without a session. */
export function loopbackMay(action: Action): boolean {
  return (PERMISSIONS[action] as Permission).loopback === true;
}

/** Deny by default: a role may take an action only when the table lists it. */
export function roleMay(role: Role, action: Action): boolean {
  const who: Who = PERMISSIONS[action].who;
  return who !== 'public' && who.includes(role);
}

/** The non-public actions a role holds: sent to the UI as `abilities`. */
export function abilitiesOf(role: Role): Action[] {
  return (Object.keys(PERMISSIONS) as Action[]).filter((a) => roleMay(role, a));
}

/** Role ceiling: `actor` may grant `role` / act on someone holding `role` only up to their own rank. */
export function roleAtMost(actor: Role, role: Role): boolean {
  return ROLE_RANK[role] <= ROLE_RANK[actor];
}
