/**
 * The one drizzle schema. drizzle-kit generates SQL migrations from it into src/db/migrations
 * (`npm run db:generate`); those files are committed and applied at start-up.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const userRole = pgEnum('user_role', ['owner', 'admin', 'operator', 'viewer']);
export const userStatus = pgEnum('user_status', ['invited', 'active', 'deactivated', 'removed']);
export const loginResult = pgEnum('login_result', ['success', 'failure']);
export const loginReason = pgEnum('login_reason', [
  'bad_password',
  'unknown_user',
  'deactivated',
  'locked',
  'rate_limited',
  'bad_second_factor',
  'sso_failed',
  'sso_not_allowed',
]);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** PostgreSQL's 64-bit transaction id (read as a decimal string). */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    role: userRole('role').notNull(),
    status: userStatus('status').notNull(),
    passwordHash: text('password_hash'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    lastSignInAt: ts('last_sign_in_at'),
    lastSignInIp: text('last_sign_in_ip'),
    /** Lockout state: failures inside the current 15-minute window and the lock they produced. */
    failedCount: integer('failed_count').notNull().default(0),
    failedWindowStart: ts('failed_window_start'),
    lockedUntil: ts('locked_until'),
    /** TOTP enrolled (the secret sits in the vault, owner type 'user_totp'); null: no 2FA */
    totpEnrolledAt: ts('totp_enrolled_at'),
    /** the last TOTP time step accepted: a code is never accepted twice */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    /** the OpenID provider's subject this account is linked to (SSO) */
    oidcSubject: text('oidc_subject'),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    index('users_role_status_idx').on(t.role, t.status),
    uniqueIndex('users_oidc_subject_key').on(t.oidcSubject).where(sql`oidc_subject IS NOT NULL`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** SHA-256 (hex) of the opaque cookie value; the value itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /**
     * full: signed in; second_factor: password accepted, the TOTP code still owed; enrol: password
     * accepted, 2FA required and its grace period over, so only enrolment is allowed
     */
    stage: text('stage').notNull().default('full'),
    /** when the user last proved it is them (password, code, SSO): step-up for sensitive actions */
    provedAt: ts('proved_at'),
    /** password | oidc (single sign-on) */
    method: text('method').notNull().default('password'),
  },
  (t) => [
    uniqueIndex('sessions_token_hash_key').on(t.tokenHash),
    index('sessions_user_idx').on(t.userId),
    index('sessions_expires_idx').on(t.expiresAt),
  ],
);

/** One-time links that let the first owner (or a CLI-created owner) set up their account. */
export const setupTokens = pgTable(
  'setup_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    email: text('email'),
    displayName: text('display_name'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('setup_tokens_token_hash_key').on(t.tokenHash)],
);

/** Every sign-in attempt. Personal data (IP, user agent, typed email): retention and erasure act on it. */
export const loginActivity = pgTable(
  'login_activity',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The email typed when it matched no user (so an admin can see probing); null otherwise. */
    attemptedEmail: text('attempted_email'),
    result: loginResult('result').notNull(),
    reason: loginReason('reason'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** password | oidc (single sign-on) */
    method: text('method').notNull().default('password'),
    /** the second factor's result when one was asked: totp_ok | totp_failed | recovery_ok | recovery_failed | sso_mfa */
    secondFactor: text('second_factor'),
  },
  (t) => [index('login_activity_user_at_idx').on(t.userId, t.at), index('login_activity_at_idx').on(t.at)],
);

/** Failure counters of signed device cookies (OWASP device-cookie lockout). */
export const deviceLocks = pgTable('device_locks', {
  deviceId: text('device_id').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  failedCount: integer('failed_count').notNull().default(0),
  failedWindowStart: ts('failed_window_start'),
  lockedUntil: ts('locked_until'),
});

/** The audit trail: who did what to which target. Holds no personal data (see auditPersonalValues). */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    requestId: text('request_id'),
    changedFields: text('changed_fields')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Non-personal values only: role names, states, counts. */
    details: jsonb('details').notNull().default({}),
    /** the writing transaction (pg_current_xact_id): the chain sealer takes only events no running transaction can still precede */
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    // keyset pages (at, id) newest first, overall and per actor
    index('audit_events_at_idx').on(t.at, t.id),
    index('audit_events_actor_idx').on(t.actorId, t.at, t.id),
    index('audit_events_target_idx').on(t.targetType, t.targetId),
    // the sealer's scan for committed, unchained events (created by migration 0011, hand-written)
    index('audit_events_xid_idx').on(t.xid),
  ],
);

/** Personal values that belong to an audit event, one row per value and data subject. */
export const auditPersonalValues = pgTable(
  'audit_personal_values',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => auditEvents.id, { onDelete: 'cascade' }),
    field: text('field').notNull(),
    /** 'before' / 'after' / 'value' */
    kind: text('kind').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    value: text('value').notNull(),
  },
  (t) => [
    index('audit_personal_values_event_idx').on(t.eventId),
    index('audit_personal_values_subject_idx').on(t.subjectType, t.subjectId),
  ],
);

/** Invitation links (hash only). One live link per invited user; resending replaces it. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    invitedBy: uuid('invited_by'),
    /** Delivery outcome of the mail carrying the link (the link itself is never stored). */
    mailSentAt: ts('mail_sent_at'),
    mailError: text('mail_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('invitations_token_hash_key').on(t.tokenHash), index('invitations_user_idx').on(t.userId)],
);

/** Password reset links (hash only), valid one hour, single use. */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    requestedBy: uuid('requested_by'),
    /** Delivery outcome of the mail carrying the link (the link itself is never stored). */
    mailSentAt: ts('mail_sent_at'),
    mailError: text('mail_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('password_resets_token_hash_key').on(t.tokenHash), index('password_resets_user_idx').on(t.userId)],
);

/** Development outbox: mail kept here instead of sent, only while PUBLIC_URL is http and SMTP_URL unset. */
export const outboxMails = pgTable(
  'outbox_mails',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    createdAt: ts('created_at').notNull().defaultNow(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
  },
  (t) => [index('outbox_mails_created_idx').on(t.createdAt)],
);

/**
 * Stored credentials (Meta business tokens, registration PINs), only as AES-256-GCM envelopes bound
 * to their owner and purpose (src/features/vault). One secret per owner and purpose.
 */
export const vaultSecrets = pgTable(
  'vault_secrets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerType: text('owner_type').notNull(),
    ownerId: text('owner_id').notNull(),
    /** What the secret is: 'waba_token', 'registration_pin', ... */
    purpose: text('purpose').notNull(),
    /** `v1.<keyId>.<iv>.<ciphertext>.<tag>`; never the plaintext. */
    ciphertext: text('ciphertext').notNull(),
    /** The key id inside `ciphertext`, as a column so start-up and rotation find rows per key. */
    keyId: text('key_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('vault_secrets_owner_purpose_key').on(t.ownerType, t.ownerId, t.purpose), index('vault_secrets_key_idx').on(t.keyId)],
);

/** Per key id, a fixed constant encrypted under that key: an instance with other key material refuses to start. */
export const vaultKeyChecks = pgTable('vault_key_checks', {
  keyId: text('key_id').primaryKey(),
  checkValue: text('check_value').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Onboarding record states (contract.md, closed list). */
export const onboardingState = pgEnum('onboarding_state', ['started', 'in_progress', 'action_required', 'failed', 'abandoned', 'connected', 'disconnected']);
/** The server-side steps of an onboarding, in order. */
export const onboardingStepName = pgEnum('onboarding_step_name', ['exchange', 'verify', 'lookup', 'subscribe', 'override', 'register']);
export const onboardingStepStatus = pgEnum('onboarding_step_status', ['pending', 'running', 'succeeded', 'failed', 'skipped', 'action_required']);

/**
 * Customer onboarding links (hash only). The prefill is personal data of someone without an account:
 * it is erased `prefill_purge_after` (src/features/onboarding/customer-links).
 */
export const onboardingLinks = pgTable(
  'onboarding_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    label: text('label').notNull(),
    businessName: text('business_name'),
    email: text('email'),
    phone: text('phone'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    /** Set when an onboarding through the link reached `connected`: the link is used up. */
    usedAt: ts('used_at'),
    openedAt: ts('opened_at'),
    prefillPurgeAfter: ts('prefill_purge_after').notNull(),
  },
  (t) => [uniqueIndex('onboarding_links_token_hash_key').on(t.tokenHash), index('onboarding_links_created_idx').on(t.createdAt, t.id)],
);

/**
 * One Embedded Signup attempt and the WABA it connects (src/features/onboarding). Never holds a
 * token, PIN or code: those live only in vault_secrets (owner type 'onboarding', owner id = id).
 */
export const onboardingRecords = pgTable(
  'onboarding_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    state: onboardingState('state').notNull().default('started'),
    /** Why the record is in its state (Meta's message, 'WABA unknown', ...); null when connected. */
    reason: text('reason'),
    /** Per-launch id the browser sends the code and the session info under. */
    attemptId: text('attempt_id').notNull(),
    startedBy: uuid('started_by').references(() => users.id, { onDelete: 'set null' }),
    /** The customer onboarding link it came through. */
    linkId: uuid('link_id').references(() => onboardingLinks.id, { onDelete: 'set null' }),
    /** 1 + the number of reconnects merged into this record; steps belong to a run. */
    run: integer('run').notNull().default(1),
    businessId: text('business_id'),
    wabaId: text('waba_id'),
    phoneNumberId: text('phone_number_id'),
    /** The Facebook user id from the login response. */
    metaUserId: text('meta_user_id'),
    /** debug_token user_id (the system user behind the business token). */
    tokenUserId: text('token_user_id'),
    tokenType: text('token_type'),
    tokenExpiresAt: ts('token_expires_at'),
    tokenScopes: jsonb('token_scopes'),
    tokenVerifiedAt: ts('token_verified_at'),
    wabaName: text('waba_name'),
    businessName: text('business_name'),
    /** WA_EMBEDDED_SIGNUP event received (FINISH, CANCEL, ...). */
    sessionEvent: text('session_event'),
    abandonedStep: text('abandoned_step'),
    errorCode: integer('error_code'),
    errorSubcode: integer('error_subcode'),
    errorMessage: text('error_message'),
    errorFbtraceId: text('error_fbtrace_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    connectedAt: ts('connected_at'),
    disconnectedAt: ts('disconnected_at'),
    /** When an owner revealed the registration PIN (it is revealed once). */
    pinRevealedAt: ts('pin_revealed_at'),
    /**
     * What Meta reports about the WABA through webhooks (account_update bans and violations,
     * account review, capabilities, the person who connected it removing the app), keyed by topic,
     * each with the event's own timestamp so out-of-order deliveries apply correctly.
     */
    metaStatus: jsonb('meta_status').notNull().default({}),
  },
  (t) => [
    uniqueIndex('onboarding_records_attempt_key').on(t.attemptId),
    index('onboarding_records_created_idx').on(t.createdAt, t.id),
    index('onboarding_records_link_idx').on(t.linkId),
    index('onboarding_records_meta_user_idx').on(t.metaUserId),
    index('onboarding_records_token_user_idx').on(t.tokenUserId),
    index('onboarding_records_state_idx').on(t.state, t.updatedAt),
    index('onboarding_records_waba_idx').on(t.wabaId),
  ],
);

/** Every attempt of every step: status, timing and Meta's error (never a secret). */
export const onboardingSteps = pgTable(
  'onboarding_steps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    recordId: uuid('record_id')
      .notNull()
      .references(() => onboardingRecords.id, { onDelete: 'cascade' }),
    /** The record's run this attempt belongs to (a reconnect starts a new run). */
    run: integer('run').notNull().default(1),
    step: onboardingStepName('step').notNull(),
    status: onboardingStepStatus('status').notNull(),
    attempt: integer('attempt').notNull(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
    durationMs: integer('duration_ms'),
    errorCode: integer('error_code'),
    errorSubcode: integer('error_subcode'),
    errorMessage: text('error_message'),
    errorFbtraceId: text('error_fbtrace_id'),
    /** Non-secret facts (retryable, skip reason, counts). */
    detail: jsonb('detail').notNull().default({}),
  },
  (t) => [uniqueIndex('onboarding_steps_attempt_key').on(t.recordId, t.run, t.step, t.attempt)],
);

/** Phone numbers of a record's WABA as last looked up. */
export const onboardingPhoneNumbers = pgTable(
  'onboarding_phone_numbers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    recordId: uuid('record_id')
      .notNull()
      .references(() => onboardingRecords.id, { onDelete: 'cascade' }),
    phoneNumberId: text('phone_number_id').notNull(),
    displayPhoneNumber: text('display_phone_number'),
    verifiedName: text('verified_name'),
    qualityRating: text('quality_rating'),
    codeVerificationStatus: text('code_verification_status'),
    nameStatus: text('name_status'),
    platformType: text('platform_type'),
    throughput: text('throughput'),
    status: text('status'),
    lookedUpAt: ts('looked_up_at').notNull(),
  },
  (t) => [uniqueIndex('onboarding_phone_numbers_record_phone_key').on(t.recordId, t.phoneNumberId)],
);

/** Webhook processing states (pending, processed, failed, duplicate, unhandled). */
export const webhookEventState = pgEnum('webhook_event_state', ['pending', 'processed', 'failed', 'duplicate', 'unhandled']);

/**
 * One `changes[]` item of a verified webhook delivery (src/features/webhooks), written before the
 * 200. Never end-customer content: for `messages` only derived facts (kind, hashed message id,
 * error codes); the change's raw value is kept only for management fields, until `payload_purge_after`.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    receivedAt: ts('received_at').notNull(),
    field: text('field').notNull(),
    /** entry[].id, or for PARTNER_* events value.waba_info.waba_id */
    wabaId: text('waba_id'),
    phoneNumberId: text('phone_number_id'),
    /** sha-256 of the change (or of the message id and status for `messages`) */
    dedupeKey: text('dedupe_key').notNull(),
    /** the payload's own time (entry time or message/status timestamp) */
    eventAt: ts('event_at'),
    state: webhookEventState('state').notNull().default('pending'),
    /** why processing failed, or why the event is unhandled */
    reason: text('reason'),
    attempts: integer('attempts').notNull().default(0),
    processedAt: ts('processed_at'),
    sizeBytes: integer('size_bytes').notNull(),
    /** derived facts (messages: kind, counts, error codes; account_update: event) — never content */
    summary: jsonb('summary').notNull().default({}),
    /** the raw change value, management fields only */
    payload: jsonb('payload'),
    payloadPurgeAfter: ts('payload_purge_after'),
    recordId: uuid('record_id'),
  },
  (t) => [
    index('webhook_events_received_idx').on(t.receivedAt, t.id),
    // partial: most events are settled on arrival (messages), and each index entry costs ingest
    index('webhook_events_state_idx').on(t.state, t.id).where(sql`state IN ('pending', 'failed')`),
    index('webhook_events_waba_idx').on(t.wabaId, t.receivedAt),
    index('webhook_events_purge_idx').on(t.payloadPurgeAfter).where(sql`payload_purge_after IS NOT NULL`),
  ],
);

/** De-duplication keys of webhook changes, kept at least 8 days whatever the raw-body retention. */
export const webhookDedupeKeys = pgTable('webhook_dedupe_keys', {
  key: text('key').primaryKey(),
  firstEventId: bigint('first_event_id', { mode: 'number' }).notNull(),
  seenAt: ts('seen_at').notNull(),
});

/** Per phone number and kind (inbound, sent, delivered, read, failed): counts and the last event time. */
export const phoneMessageCounters = pgTable(
  'phone_message_counters',
  {
    phoneNumberId: text('phone_number_id').notNull(),
    kind: text('kind').notNull(),
    count: bigint('count', { mode: 'number' }).notNull().default(0),
    lastEventAt: ts('last_event_at'),
  },
  (t) => [uniqueIndex('phone_message_counters_key').on(t.phoneNumberId, t.kind)],
);

/** WABAs Meta reports as shared with the app (PARTNER_ADDED ...): linked to a record, or "shared, not onboarded". */
export const sharedWabas = pgTable('shared_wabas', {
  wabaId: text('waba_id').primaryKey(),
  ownerBusinessId: text('owner_business_id'),
  sharedAt: ts('shared_at').notNull(),
  /** latest account_update event about the share (PARTNER_ADDED, PARTNER_APP_INSTALLED, PARTNER_REMOVED ...) */
  lastEvent: text('last_event').notNull(),
  lastEventAt: ts('last_event_at').notNull(),
  recordId: uuid('record_id'),
});

/** Changes Meta reported to a record or its phone numbers (quality, name decision, review, bans): the history. */
export const onboardingRecordHistory = pgTable(
  'onboarding_record_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    recordId: uuid('record_id')
      .notNull()
      .references(() => onboardingRecords.id, { onDelete: 'cascade' }),
    phoneNumberId: text('phone_number_id'),
    at: ts('at').notNull(),
    /** the webhook field or source (account_update, phone_number_quality_update, deauthorize, ...) */
    source: text('source').notNull(),
    topic: text('topic').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    webhookEventId: bigint('webhook_event_id', { mode: 'number' }),
  },
  (t) => [index('onboarding_record_history_record_idx').on(t.recordId, t.at)],
);

/** Meta's deauthorize and data deletion callbacks as received (verified), for admins to see. */
export const metaCallbacks = pgTable(
  'meta_callbacks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    metaUserId: text('meta_user_id').notNull(),
    issuedAt: bigint('issued_at', { mode: 'number' }),
    receivedAt: ts('received_at').notNull(),
    /** matched record ids and what happened to each; 'no_match' when nothing was linked */
    outcome: jsonb('outcome').notNull().default({}),
  },
  (t) => [index('meta_callbacks_received_idx').on(t.receivedAt)],
);

/** Privacy request states (contract.md). */
export const privacyRequestState = pgEnum('privacy_request_state', ['received', 'verifying', 'in_progress', 'completed', 'rejected', 'cancelled']);

/**
 * Data subject requests (access, correction, deletion). Meta's data deletion callback creates
 * deletion requests at `in_progress` (the signature is the verification), idempotent on
 * (meta_user_id, meta_issued_at). The privacy workflow (src/features/privacy) works them.
 * Personal columns (email, message, details) are erased once the proof-of-handling period ends
 * (personal_erased_at); the outcome stays.
 */
export const privacyRequests = pgTable(
  'privacy_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** access | correction | deletion */
    kind: text('kind').notNull(),
    /** self | public_form | meta_callback | admin */
    source: text('source').notNull(),
    state: privacyRequestState('state').notNull(),
    metaUserId: text('meta_user_id'),
    metaIssuedAt: bigint('meta_issued_at', { mode: 'number' }),
    /** public confirmation code (>= 16 alphanumerics, CSPRNG) for the status page */
    confirmationCode: text('confirmation_code').notNull(),
    receivedAt: ts('received_at').notNull(),
    dueAt: ts('due_at').notNull(),
    completedAt: ts('completed_at'),
    /** what was deleted and what was kept and why: { deleted: string[], kept: {what, why}[], note? } */
    outcome: jsonb('outcome').notNull().default({}),
    updatedAt: ts('updated_at').notNull(),
    /** whose data the request is about (a user), when known */
    subjectUserId: uuid('subject_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** the signed-in user or admin who filed it (null: public form, Meta) */
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** the login email the requester named (public form, admin on behalf) */
    email: text('email'),
    /** free text from the requester */
    message: text('message'),
    /** kind-specific, requester-supplied: what to delete, requested corrections { field: newValue } */
    details: jsonb('details').notNull().default({}),
    verifiedAt: ts('verified_at'),
    /** session | email_link | meta_signature | admin */
    verifiedHow: text('verified_how'),
    /** an admin's reason for a manual verification */
    verifyReason: text('verify_reason'),
    /** sha-256 of the single-use verification link token (public form), until used or expired */
    verifyTokenHash: text('verify_token_hash'),
    verifyExpiresAt: ts('verify_expires_at'),
    /** the one extension (by two months) and its reason */
    extendedAt: ts('extended_at'),
    extensionReason: text('extension_reason'),
    rejectionReason: text('rejection_reason'),
    /** the proof-of-handling period ended: email, message and details were erased */
    personalErasedAt: ts('personal_erased_at'),
  },
  (t) => [
    uniqueIndex('privacy_requests_code_key').on(t.confirmationCode),
    uniqueIndex('privacy_requests_meta_key').on(t.metaUserId, t.metaIssuedAt),
    uniqueIndex('privacy_requests_verify_key').on(t.verifyTokenHash),
    index('privacy_requests_state_idx').on(t.state, t.dueAt),
    index('privacy_requests_subject_idx').on(t.subjectUserId),
  ],
);

/** Pending email changes (correction): confirmed by a single-use link sent to the new address. */
export const emailChanges = pgTable(
  'email_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    newEmail: text('new_email').notNull(),
    tokenHash: text('token_hash').notNull(),
    requestId: uuid('request_id').references(() => privacyRequests.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('email_changes_token_key').on(t.tokenHash), index('email_changes_user_idx').on(t.userId)],
);

/**
 * The audit chain, append-only: each sealed audit event at a position, with the previous link's
 * hash and its own (SHA-256 over the event's canonical encoding, without personal side values, and
 * the previous hash). No foreign key: a deleted event must leave its link behind to be noticed.
 */
export const auditChain = pgTable(
  'audit_chain',
  {
    position: bigint('position', { mode: 'number' }).primaryKey(),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    sealedAt: ts('sealed_at').notNull(),
  },
  (t) => [uniqueIndex('audit_chain_event_key').on(t.eventId)],
);

/** Signed checkpoints of the chain head (every N minutes and at each purge): HMAC with a key-ring key. */
export const auditAnchors = pgTable(
  'audit_anchors',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** the chain position anchored (0: empty chain) and its hash */
    position: bigint('position', { mode: 'number' }).notNull(),
    headHash: text('head_hash').notNull(),
    at: ts('at').notNull(),
    /** scheduled | purge | manual */
    reason: text('reason').notNull(),
    /** purge anchors: chain positions below this were purged on purpose (verification starts here) */
    purgedBelow: bigint('purged_below', { mode: 'number' }),
    keyId: text('key_id').notNull(),
    mac: text('mac').notNull(),
  },
  (t) => [index('audit_anchors_position_idx').on(t.position)],
);

/** Retention period per kind of record (owners change them; absent: the default). */
export const retentionSettings = pgTable('retention_settings', {
  kind: text('kind').primaryKey(),
  days: integer('days').notNull(),
  updatedAt: ts('updated_at').notNull(),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
});

/** Legal holds on a user or an onboarding record: purges and deletion requests skip held data. */
export const legalHolds = pgTable(
  'legal_holds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** user | onboarding */
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    reason: text('reason').notNull(),
    placedBy: uuid('placed_by').references(() => users.id, { onDelete: 'set null' }),
    placedAt: ts('placed_at').notNull(),
    liftedAt: ts('lifted_at'),
    liftedBy: uuid('lifted_by').references(() => users.id, { onDelete: 'set null' }),
    liftReason: text('lift_reason'),
  },
  (t) => [
    index('legal_holds_subject_idx').on(t.subjectType, t.subjectId),
    uniqueIndex('legal_holds_active_key').on(t.subjectType, t.subjectId).where(sql`lifted_at IS NULL`),
  ],
);

/** One retention purge run (scheduled, CLI or dry run): counts per kind and the anchor it wrote. */
export const purgeRuns = pgTable(
  'purge_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at'),
    dryRun: boolean('dry_run').notNull(),
    /** schedule | cli | manual */
    trigger: text('trigger').notNull(),
    counts: jsonb('counts').notNull().default({}),
    anchorId: bigint('anchor_id', { mode: 'number' }),
    error: text('error'),
  },
  (t) => [index('purge_runs_started_idx').on(t.startedAt)],
);

/** 2FA recovery codes: ten per enrolment, shown once, stored hashed, single use. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/** Whether 2FA is required per role (owners set it), and since when (grace period counts from then). */
export const twoFactorPolicy = pgTable('two_factor_policy', {
  role: userRole('role').primaryKey(),
  required: boolean('required').notNull(),
  graceDays: integer('grace_days').notNull().default(7),
  requiredSince: ts('required_since'),
  updatedAt: ts('updated_at').notNull(),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
});

/** Personal access tokens: hashed, scoped to a role no higher than the creator's, expiring, revocable. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    role: userRole('role').notNull(),
    /** SHA-256 (hex) of the token; the token is shown once */
    tokenHash: text('token_hash').notNull(),
    /** the first characters, to recognise a token in the list */
    prefix: text('prefix').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
    /** why it ended: revoked | creator_deactivated | creator_removed | role_lowered */
    revokedReason: text('revoked_reason'),
  },
  (t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

/** The one OpenID Connect provider (owners configure it; the client secret sits in the vault, owner type 'sso'). */
export const ssoSettings = pgTable('sso_settings', {
  id: integer('id').primaryKey(),
  enabled: boolean('enabled').notNull().default(false),
  issuer: text('issuer').notNull(),
  clientId: text('client_id').notNull(),
  displayName: text('display_name').notNull(),
  allowedDomains: text('allowed_domains')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  /** refuse | invite: unknown users are created as `invited` with defaultRole (never above admin) */
  unknownUsers: text('unknown_users').notNull().default('refuse'),
  defaultRole: userRole('default_role').notNull().default('viewer'),
  /** password sign-in stays allowed for non-owners (owners always keep it: no lock-out) */
  passwordForNonOwners: boolean('password_for_non_owners').notNull().default(true),
  updatedAt: ts('updated_at').notNull(),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
});

/** In-flight OIDC sign-ins: state (hashed), nonce and PKCE verifier, for a few minutes. */
export const oidcFlows = pgTable(
  'oidc_flows',
  {
    stateHash: text('state_hash').primaryKey(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    /** sign_in | test */
    purpose: text('purpose').notNull(),
    returnTo: text('return_to'),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('oidc_flows_expires_idx').on(t.expiresAt)],
);

/**
 * Erasures, without personal data (pseudonymous subject ids and what was erased): exported on its
 * own (`npm run cli -- erasure-log export`) so a restore from an older backup can apply them again
 * (`restore --erasures FILE`).
 */
export const erasureLog = pgTable(
  'erasure_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    /** user | meta_user | onboarding */
    subjectType: text('subject_type').notNull(),
    /** the user's or record's uuid, or the Meta user id (app-scoped, pseudonymous) */
    subjectId: text('subject_id').notNull(),
    /** what was erased, as a kind the restore knows how to apply again (user_deleted, login_activity, audit_personal_values, ...) */
    action: text('action').notNull(),
    /** non-personal parameters of the erasure (kinds, counts, the request that asked for it) */
    details: jsonb('details').notNull().default({}),
  },
  (t) => [index('erasure_log_at_idx').on(t.at)],
);

/** Fixed-window rate-limit counters shared by every instance (@fastify/rate-limit store). */
export const rateLimitHits = pgTable('rate_limit_hits', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  resetAt: ts('reset_at').notNull(),
});

/**
 * Hourly counts the overview page reads instead of scanning a year of sign-in and webhook rows
 * (src/features/overview, job `overview.rollup`). kind `sign_in`: k1 = success | new_device | a
 * failure reason; kind `webhook`: k1 = field, k2 = processing state, with the processing lag of
 * processed events. Hours before `overview_rollup_marks.rolled_until` are complete here.
 */
export const overviewHourly = pgTable(
  'overview_hourly',
  {
    kind: text('kind').notNull(),
    hour: ts('hour').notNull(),
    k1: text('k1').notNull(),
    k2: text('k2').notNull().default(''),
    count: integer('count').notNull(),
    lagMsSum: bigint('lag_ms_sum', { mode: 'number' }).notNull().default(0),
    lagCount: integer('lag_count').notNull().default(0),
    lagMsMax: bigint('lag_ms_max', { mode: 'number' }).notNull().default(0),
  },
  (t) => [uniqueIndex('overview_hourly_key').on(t.kind, t.hour, t.k1, t.k2)],
);

/** Per rollup kind: every hour before `rolled_until` is in overview_hourly. */
export const overviewRollupMarks = pgTable('overview_rollup_marks', {
  kind: text('kind').primaryKey(),
  rolledUntil: ts('rolled_until').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

// --- notifications (src/features/notifications) ------------------------------------------------

/**
 * What happened that someone must hear about, written by the producer in the transaction of the
 * event itself (or by the scan for time-based triggers). The unique dedupe key makes one intent per
 * occurrence ("token X expires on D": once, not daily); `notifications.deliver` fans it out.
 */
export const notificationIntents = pgTable(
  'notification_intents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    /** role audience: active users whose role may take this permission action */
    audienceAction: text('audience_action'),
    /** user audience: this one user (security notices about their own account) */
    audienceUserId: uuid('audience_user_id').references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** an in-app path (never a token-bearing link) */
    link: text('link'),
    createdAt: ts('created_at').notNull(),
    /** fanned out to recipients (null: pending) */
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    uniqueIndex('notification_intents_dedupe_key').on(t.dedupeKey),
    index('notification_intents_pending_idx').on(t.createdAt).where(sql`delivered_at IS NULL`),
  ],
);

/** One notification for one user: the in-app list, read state and mail state. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    category: text('category').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    link: text('link'),
    createdAt: ts('created_at').notNull(),
    readAt: ts('read_at'),
    /** pending | sending | sent | skipped (preference off or no mail) | failed */
    mailState: text('mail_state').notNull().default('pending'),
    mailedAt: ts('mailed_at'),
    /** a short, secret-free reason when the mail failed */
    mailError: text('mail_error'),
  },
  (t) => [
    uniqueIndex('notifications_dedupe_user_key').on(t.dedupeKey, t.userId),
    index('notifications_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('notifications_user_unread_idx').on(t.userId).where(sql`read_at IS NULL`),
    index('notifications_mail_pending_idx').on(t.createdAt).where(sql`mail_state = 'pending'`),
    index('notifications_created_idx').on(t.createdAt),
  ],
);

/** Per user and category: whether notifications of that category are also mailed (default: yes). */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    category: text('category').notNull(),
    mail: boolean('mail').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('notification_preferences_key').on(t.userId, t.category)],
);
