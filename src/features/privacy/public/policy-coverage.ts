/**
 * Which section of the default privacy policy (default-policy.md) covers each table of
 * src/db/schema.ts. A table holding personal data names the `## ` heading that tells people about
 * it; a table without personal data says so. policy-coverage.test.ts fails when a table is missing
 * here or its heading is missing from the text, so a new table cannot ship without the policy
 * saying what it holds.
 */
export const NO_PERSONAL_DATA = 'no personal data';

export const POLICY_SECTIONS = {
  accounts: 'Console accounts',
  sessions: 'Sessions',
  signIn: 'Sign-in activity',
  audit: 'Audit records',
  onboarding: 'WhatsApp Business onboarding',
  credentials: 'Stored credentials',
  links: 'Customer onboarding links',
  webhooks: 'Webhook notifications from Meta',
  metaNotices: 'Notices from Meta about removals and deletions',
  mail: 'Mail we send',
  requests: 'Privacy requests',
  retention: 'Retention and legal holds',
} as const;

type Coverage = (typeof POLICY_SECTIONS)[keyof typeof POLICY_SECTIONS] | typeof NO_PERSONAL_DATA;

const S = POLICY_SECTIONS;

/** Table name -> the policy section that covers it (or 'no personal data'). */
export const TABLE_COVERAGE: Record<string, Coverage> = {
  users: S.accounts,
  setup_tokens: S.accounts,
  invitations: S.accounts,
  password_resets: S.accounts,
  email_changes: S.accounts,
  recovery_codes: S.accounts,
  api_tokens: S.accounts,
  sessions: S.sessions,
  login_activity: S.signIn,
  device_locks: S.signIn,
  audit_events: S.audit,
  audit_personal_values: S.audit,
  onboarding_records: S.onboarding,
  onboarding_steps: S.onboarding,
  onboarding_phone_numbers: S.onboarding,
  onboarding_record_history: S.onboarding,
  shared_wabas: S.onboarding,
  vault_secrets: S.credentials,
  onboarding_links: S.links,
  webhook_events: S.webhooks,
  phone_message_counters: S.webhooks,
  meta_callbacks: S.metaNotices,
  outbox_mails: S.mail,
  notifications: S.mail,
  notification_intents: S.mail,
  notification_preferences: S.mail,
  privacy_requests: S.requests,
  legal_holds: S.retention,
  // hashes and positions of audit events; signed checkpoints of the chain head
  audit_chain: NO_PERSONAL_DATA,
  audit_anchors: NO_PERSONAL_DATA,
  // a fixed constant encrypted per key id
  vault_key_checks: NO_PERSONAL_DATA,
  // sha-256 keys of webhook changes (a hash of a message id, never its content or sender)
  webhook_dedupe_keys: NO_PERSONAL_DATA,
  // operator settings and purge counts
  retention_settings: NO_PERSONAL_DATA,
  purge_runs: NO_PERSONAL_DATA,
  two_factor_policy: NO_PERSONAL_DATA,
  // the single sign-on provider's configuration, and minutes-long sign-in state (nonce, verifier)
  sso_settings: NO_PERSONAL_DATA,
  oidc_flows: NO_PERSONAL_DATA,
  // pseudonymous ids of erased people and what was erased, to apply erasures again after a restore
  erasure_log: S.requests,
  // sha-256 of (route, client address or email) with a counter and a window end
  rate_limit_hits: NO_PERSONAL_DATA,
  // hourly counts of sign-in results and webhook fields for the overview charts (no user, no address)
  overview_hourly: NO_PERSONAL_DATA,
  overview_rollup_marks: NO_PERSONAL_DATA,
};

/**
 * Column names that always hold personal data: a table with one of them cannot be classified as
 * 'no personal data' (the coverage test checks this against the real columns).
 */
export const PERSONAL_COLUMNS = new Set([
  'email',
  'new_email',
  'attempted_email',
  'to',
  'ip',
  'last_sign_in_ip',
  'user_agent',
  'phone',
  'display_phone_number',
  'meta_user_id',
  'token_user_id',
  'user_id',
  'subject_id',
  'value',
  'message',
]);
