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
  // --- public privacy pages and the deletion form (src/features/privacy/public) ---
  // --- audit chain, anchors and verification (src/features/audit/chain) ---
  // --- retention, legal holds and purges (src/features/retention) ---
  // --- audit log viewer and export (src/features/audit/log) ---
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
    targetType?: 'user' | 'session' | 'setup_link' | 'invitation' | 'onboarding' | 'onboarding_link' | 'phone_number' | 'privacy_request';
    targetId?: string;
    changedFields?: string[];
    details: AuditDetails[A];
    personal?: PersonalValue[];
  };
}[AuditAction];
