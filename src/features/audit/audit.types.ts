/**
 * The closed list of audit actions and the non-personal details each carries. Personal values
 * (emails, names, IPs) never go in `details`: they travel as `personal` and land in the side table.
 */
import type { Role } from '../access/permissions.js';

export interface AuditDetails {
  'setup.link_created': { via: 'first_start' | 'cli' };
  'setup.completed': { role: Role };
  'profile.updated': Record<string, never>;
  'password.changed': { otherSessionsEnded: number };
  'session.signed_out': Record<string, never>;
  'session.ended': { self: boolean };
  'session.ended_others': { ended: number };
  'user.invited': { role: Role };
  'invitation.resent': Record<string, never>;
  'invitation.revoked': Record<string, never>;
  'invitation.accepted': { role: Role };
  'user.role_changed': { from: Role; to: Role; sessionsEnded: number };
  'user.deactivated': { sessionsEnded: number };
  'user.reactivated': Record<string, never>;
  'user.removed': { sessionsEnded: number };
  'user.sessions_ended': { ended: number };
  'user.unlocked': Record<string, never>;
  'password.reset_sent': { via: 'admin' | 'self' | 'cli' };
  'password.reset_completed': { sessionsEnded: number };
  /** A stored credential was decrypted for `purpose` (why); `credential` says which kind. Never the value. */
  'vault.secret_used': { purpose: string; credential: string; ownerType: string };
  /** One batch of `rotate-key`: how many secrets now sit under key `toKeyId`. */
  'vault.key_rotated': { reEncrypted: number; toKeyId: string };
  /** An Embedded Signup attempt began (staff connect or customer link). */
  'onboarding.started': { via: 'staff' | 'link' };
  /** Every step done: the WABA is connected. */
  'onboarding.connected': { wabaId: string | null; phoneNumberId: string | null; registered: boolean };
  /** A step failed (Meta's error number, never its text) or the customer reported an error in the popup. */
  'onboarding.failed': { step: string; metaError: number | null; retryable: boolean };
  /** The flow needs a person (PIN already set, number not verified, WABA unknown, reconnect). */
  'onboarding.action_required': { step: string; metaError: number | null };
  /** The customer left Embedded Signup at `atStep`. */
  'onboarding.abandoned': { atStep: string | null };
  /** A new Embedded Signup for a WABA already on record was merged into that record (new token, new run). */
  'onboarding.reconnected': { mergedRecord: string; run: number };
  /** The app was unsubscribed from the WABA and its token and PIN erased. */
  'onboarding.disconnected': { unsubscribed: boolean };
  /** Meta refused to unsubscribe: nothing changed (Meta's error number only). */
  'onboarding.disconnect_failed': { metaError: number | null };
  /** An owner saw the registration PIN (once, password re-entered). */
  'onboarding.pin_revealed': Record<string, never>;
  /** A person entered the number's existing two-step verification PIN. */
  'onboarding.pin_entered': Record<string, never>;
  /** A refresh found the token no longer usable. */
  'onboarding.token_invalid': { metaError: number | null };
  /** Meta no longer honours the token (the app was removed on Meta): token and PIN erased, record disconnected. `event` says which notice (deauthorize, ...). */
  'onboarding.disconnected_by_meta': { event: string };
  'onboarding_link.created': { expiresAt: string; prefill: string[] };
  'onboarding_link.opened': Record<string, never>;
  'onboarding_link.completed': { recordId: string };
  'onboarding_link.revoked': Record<string, never>;
  /** Meta's deauthorize callback (verified): how many onboarding records it named. */
  'meta.deauthorize_received': { matched: number };
  /** A data subject request was opened (kind: deletion, ...; source: meta_callback, ...). */
  'privacy.request_received': { kind: string; source: string };
  // --- privacy request workflow (src/features/privacy/requests) ---
  /** A request was verified and moved to in_progress (how: session, admin, ...). An admin's reason stays on the request row. */
  'privacy.request_verified': { how: string; from: string };
  /** The one extension by two months; the reason stays on the request row. */
  'privacy.request_extended': { dueAt: string };
  'privacy.request_rejected': { from: string };
  'privacy.request_cancelled': { from: string; by: 'admin' | 'requester' };
  /** Fulfilled: counts of what was deleted and kept (the outcome on the request lists them). */
  'privacy.request_completed': { kind: string; deleted: number; kept: number };
  /** An access export was generated and downloaded. */
  'privacy.export_downloaded': { by: 'subject' | 'admin'; format: string };
  /** A correction was applied (fields named, values as personal before/after). */
  'privacy.correction_applied': { fields: string[] };
  /** A single-use confirmation link for a new email was mailed to the new address. */
  'privacy.email_change_sent': Record<string, never>;
  /** The new email was confirmed: users.email changed, the user's other sessions ended. */
  'privacy.email_changed': { sessionsEnded: number };
  // --- public privacy pages and the deletion form (src/features/privacy/public) ---
  // --- audit chain, anchors and verification (src/features/audit/chain) ---
  /** A signed checkpoint of the chain head was stored (reason: scheduled | purge | manual). */
  'audit.anchored': { anchorId: number; position: number; reason: string; purgedBelow: number | null };
  /** Someone ran the chain verification (API/page or CLI): the outcome, never event contents. */
  'audit.verified': { ok: boolean; verifiedUpTo: number; firstBreakPosition: number | null };
  // --- retention, legal holds and purges (src/features/retention) ---
  /** An owner changed a retention period (`unit`: days or hours). */
  'retention.changed': { kind: string; from: number; to: number; unit: string };
  /** A legal hold was placed on a user or an onboarding record (the reason stays in legal_holds). */
  'legal_hold.placed': { holdId: string; subjectType: string };
  /** A legal hold was lifted. */
  'legal_hold.lifted': { holdId: string; subjectType: string };
  /** One purge run (not dry): rows deleted or erased per kind, and the audit chain anchor written at the cut. */
  'retention.purged': { runId: number; trigger: string; counts: Record<string, number>; anchorId: number | null };
  // --- notifications (src/features/notifications) ---
  /** A security notice about their own account went to a user (new sign-in, password, role or status). */
  'notification.security_sent': { kind: string };
  // --- two-factor (src/features/access/two-factor) ---
  /** The user confirmed a TOTP enrolment (`replaced`: an earlier enrolment was replaced); ten new recovery codes. */
  'two_factor.enrolled': { replaced: boolean };
  /** The user removed their own 2FA (password and a current code given). */
  'two_factor.removed': Record<string, never>;
  /** An owner or admin reset another user's 2FA; the user's sessions ended. */
  'two_factor.reset': { sessionsEnded: number };
  /** A recovery code was used to sign in (how many unused remain). */
  'two_factor.recovery_code_used': { remaining: number };
  /** An owner changed whether 2FA is required for a role. */
  'two_factor.policy_changed': { role: Role; required: boolean; graceDays: number };
  /** The user proved it is them again (step-up) with a password or a code. */
  'step_up.proved': { with: 'password' | 'totp' };
  // --- personal API tokens and single sign-on (src/features/access/api-tokens, sso) ---
  /** A user minted a personal API token (its role and lifetime; never the token). */
  'api_token.created': { role: Role; expiresInDays: number };
  /** A user revoked one of their tokens. */
  'api_token.revoked': { role: Role };
  /** An owner changed the single sign-on settings (which fields: see changedFields). */
  'sso.settings_changed': { enabled: boolean; unknownUsers: 'refuse' | 'invite'; defaultRole: Role; localSignInForNonOwners: boolean };
  /** Single sign-on created an account for an unknown user of an allowed domain (as invited... then active on first sign-in). */
  'sso.user_created': { role: Role };
  /** An account was linked to the provider's subject on its first single sign-on. */
  'sso.user_linked': Record<string, never>;
  // --- audit log viewer and export (src/features/audit/log) ---
  /**
   * Someone exported the audit log: the format and the filters (row count is unknown up front: the
   * export streams). Free text is personal-capable, so only `query: true` here; its text goes to the
   * side table with the exporting user as subject.
   */
  'audit.exported': {
    format: 'csv' | 'jsonl';
    filters: { actor: string | null; actorType: string | null; actions: string[]; targetType: string | null; targetId: string | null; from: string | null; to: string | null; query: boolean };
  };
}

export type AuditAction = keyof AuditDetails;

export type ActorType = 'user' | 'system' | 'cli' | 'meta' | 'customer';

/** Who acted and under which request. */
export interface AuditContext {
  actorType: ActorType;
  actorId: string | null;
  requestId: string | null;
}

/** One personal value of an event: which field, whose data, and the value itself. */
export interface PersonalValue {
  field: string;
  kind: 'before' | 'after' | 'value';
  subjectType: 'user' | 'person';
  subjectId: string;
  value: string;
}

export type AuditEventInput = {
  [A in AuditAction]: {
    action: A;
    targetType?: 'user' | 'session' | 'setup_link' | 'invitation' | 'onboarding' | 'onboarding_link' | 'phone_number' | 'privacy_request' | 'user_totp' | 'api_token' | 'sso_settings';
    targetId?: string;
    changedFields?: string[];
    details: AuditDetails[A];
    personal?: PersonalValue[];
  };
}[AuditAction];
