/**
 * The one table of retention kinds: what each purges, its default period, unit and bounds.
 * The settings API, the purge and the /settings page all read this list; adding a kind starts here.
 *
 * `retention_settings.days` holds an owner's period in the kind's own unit (hours for raw webhook
 * bodies, days for everything else).
 */

export const RETENTION_KINDS = [
  'login_activity',
  'link_prefill',
  'ended_sessions',
  'webhook_raw',
  'webhook_records',
  'outbox_mail',
  'request_personal_data',
  'audit_events',
  'disconnected_records',
  'notifications',
] as const;

export type RetentionKind = (typeof RETENTION_KINDS)[number];
export type RetentionUnit = 'days' | 'hours';

export interface KindSpec {
  label: string;
  /** what the purge does when the period has passed, and from which moment the period counts */
  describe: string;
  unit: RetentionUnit;
  /** the built-in default (an environment variable may replace it, see defaultsFrom) */
  default: number;
  min: number;
  max: number;
}

export const KIND_SPECS: Record<RetentionKind, KindSpec> = {
  login_activity: {
    label: 'Login activity',
    describe: 'sign-in attempts (IP, user agent, typed email) are deleted this long after the attempt',
    unit: 'days',
    default: 180,
    min: 30,
    max: 730,
  },
  link_prefill: {
    label: 'Onboarding-link prefill',
    describe: "a customer link's prefill (business name, email, phone) is erased this long after the link was used, revoked or expired",
    unit: 'days',
    default: 30,
    min: 1,
    max: 3650,
  },
  ended_sessions: {
    label: 'Ended sessions',
    describe: 'sessions past their absolute or idle limit are deleted this long after they ended (signed-out sessions are deleted at once)',
    unit: 'days',
    default: 30,
    min: 1,
    max: 365,
  },
  webhook_raw: {
    label: 'Raw webhook bodies',
    describe: 'the raw value of a management webhook change is erased this long after receipt',
    unit: 'hours',
    default: 72,
    min: 1,
    max: 720,
  },
  webhook_records: {
    label: 'Webhook records',
    describe: 'settled webhook events (processed, duplicate, unhandled) are deleted this long after receipt; failed and pending ones stay',
    unit: 'days',
    default: 90,
    min: 8,
    max: 730,
  },
  outbox_mail: {
    label: 'Outbox mail',
    describe: 'mail kept in the development outbox is deleted this long after it was written',
    unit: 'days',
    default: 30,
    min: 1,
    max: 365,
  },
  request_personal_data: {
    label: "Closed privacy requests' personal data",
    describe: "a closed request's email, message and details are erased this long after it closed; the outcome stays as proof of handling",
    unit: 'days',
    default: 1095,
    min: 365,
    max: 3650,
  },
  audit_events: {
    label: 'Audit events',
    describe: 'audit events older than this are deleted and the chain is anchored at the cut',
    unit: 'days',
    default: 730,
    min: 365,
    max: 3650,
  },
  disconnected_records: {
    label: "Disconnected onboarding records' identifiers",
    describe: "a disconnected record's business and WABA names, Meta user ids, phone number names and its link's prefill are erased this long after disconnection; the record and its state stay",
    unit: 'days',
    default: 365,
    min: 30,
    max: 3650,
  },
  notifications: {
    label: 'Notifications',
    describe: 'in-app notifications (read or not) and their delivered intents are deleted this long after they were raised',
    unit: 'days',
    default: 90,
    min: 30,
    max: 730,
  },
};

/** Environment variables that predate the settings page and still set a kind's default. */
export interface EnvDefaults {
  /** WEBHOOK_RAW_RETENTION_HOURS */
  webhookRawHours: number;
  /** ONBOARDING_LINK_PREFILL_RETENTION_DAYS */
  linkPrefillDays: number;
}

/**
 * Each kind's default: the built-in one, except where an environment variable sets it (so an
 * operator's existing setting keeps working); an owner's saved period overrides either.
 */
export function defaultsFrom(env: EnvDefaults): Record<RetentionKind, number> {
  const out = Object.fromEntries(RETENTION_KINDS.map((k) => [k, KIND_SPECS[k].default])) as Record<RetentionKind, number>;
  out.webhook_raw = clamp('webhook_raw', env.webhookRawHours);
  out.link_prefill = clamp('link_prefill', env.linkPrefillDays);
  return out;
}

function clamp(kind: RetentionKind, v: number): number {
  const s = KIND_SPECS[kind];
  return Math.min(s.max, Math.max(s.min, v));
}

/** A period in milliseconds. */
export function periodMs(kind: RetentionKind, value: number): number {
  return value * (KIND_SPECS[kind].unit === 'hours' ? 3_600_000 : 86_400_000);
}

export function isRetentionKind(v: string): v is RetentionKind {
  return (RETENTION_KINDS as readonly string[]).includes(v);
}
