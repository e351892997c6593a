/**
 * Renders simulated nodes the way Graph does: only the requested `fields` (or the node's defaults),
 * ids as strings, and a 100 error for a field the node type does not have.
 */
import { graphErrors } from './graph-errors.js';
import type { SimBusiness, SimPhoneNumber, SimScenario, SimWaba } from './types.js';

type Getters<T> = Record<string, (node: T) => unknown>;

/** Parses `fields=a,b{c}` into top-level names (nested selections are accepted and ignored). */
export function parseFields(raw: unknown): string[] | null {
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  let depth = 0;
  let cur = '';
  const out: string[] = [];
  for (const ch of raw) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 0 && ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else if (depth === 0) cur += ch;
  }
  out.push(cur.trim());
  return out.filter((f) => f !== '');
}

function select<T>(node: T, getters: Getters<T>, fields: string[], nodeType: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const get = getters[f];
    if (!get) throw graphErrors.nonexistingField(f, nodeType);
    const v = get(node);
    if (v !== undefined && v !== null) out[f] = v;
  }
  // Graph always echoes the id, whatever was asked for.
  if (!('id' in out) && getters.id) out.id = getters.id(node);
  return out;
}

const WABA_GETTERS: Getters<SimWaba> = {
  id: (w) => w.id,
  name: (w) => w.name,
  currency: (w) => w.currency,
  timezone_id: (w) => w.timezoneId,
  message_template_namespace: (w) => w.messageTemplateNamespace,
  account_review_status: (w) => w.accountReviewStatus,
  business_verification_status: (w) => w.businessVerificationStatus,
  country: (w) => w.country,
  ownership_type: (w) => w.ownershipType,
};

/** GET /{waba-id}: default fields id,name. */
export function renderWaba(w: SimWaba, fields: string[] | null): Record<string, unknown> {
  return select(w, WABA_GETTERS, fields ?? ['id', 'name'], 'WhatsAppBusinessAccount');
}

/** A phone number as one token sees it: scenarios overlay the shared state without changing it. */
export interface PhoneView {
  phone: SimPhoneNumber;
  scenarios: ReadonlySet<SimScenario>;
  appCallbackUrl: string | undefined;
  wabaOverrideUrl: string | null;
}

const coexists = (v: PhoneView) => v.phone.coexistence || v.scenarios.has('coexistence_number');

const PHONE_GETTERS: Getters<PhoneView> = {
  id: (v) => v.phone.id,
  display_phone_number: (v) => v.phone.displayPhoneNumber,
  verified_name: (v) => v.phone.verifiedName,
  quality_rating: (v) => v.phone.qualityRating,
  code_verification_status: (v) => (v.scenarios.has('number_not_verified_133006') ? 'NOT_VERIFIED' : v.phone.codeVerificationStatus),
  name_status: (v) => v.phone.nameStatus,
  new_name_status: () => undefined, // present only while a display-name change is pending
  status: (v) => (coexists(v) ? 'CONNECTED' : v.phone.status),
  platform_type: (v) => (coexists(v) ? 'CLOUD_API' : v.phone.platformType),
  throughput: (v) => ({ level: v.phone.throughputLevel }),
  account_mode: (v) => v.phone.accountMode,
  is_official_business_account: (v) => v.phone.isOfficialBusinessAccount,
  whatsapp_business_manager_messaging_limit: (v) => v.phone.messagingLimit,
  webhook_configuration: (v) =>
    v.appCallbackUrl || v.wabaOverrideUrl
      ? {
          ...(v.appCallbackUrl && { application: v.appCallbackUrl }),
          ...(v.wabaOverrideUrl && { whatsapp_business_account: v.wabaOverrideUrl }),
        }
      : undefined,
};

/** Defaults of GET /{phone-number-id}. */
export const PHONE_NODE_DEFAULTS = ['id', 'display_phone_number', 'verified_name', 'quality_rating'];
/** Defaults of GET /{waba-id}/phone_numbers (as in Meta's example listing). */
export const PHONE_EDGE_DEFAULTS = [
  'id',
  'display_phone_number',
  'verified_name',
  'code_verification_status',
  'quality_rating',
  'platform_type',
  'throughput',
  'webhook_configuration',
];

/** A phone number node with the requested fields. */
export function renderPhone(v: PhoneView, fields: string[] | null, defaults: string[]): Record<string, unknown> {
  return select(v, PHONE_GETTERS, fields ?? defaults, 'WhatsAppBusinessPhoneNumber');
}

const BUSINESS_GETTERS: Getters<SimBusiness> = {
  id: (b) => b.id,
  name: (b) => b.name,
  timezone_id: (b) => b.timezoneId,
  verification_status: (b) => b.verificationStatus,
  created_time: (b) => b.createdTime,
  link: (b) => `https://business.facebook.com/settings/info?business_id=${b.id}`,
};

/** GET /{business-id}: default fields id,name. */
export function renderBusiness(b: SimBusiness, fields: string[] | null): Record<string, unknown> {
  return select(b, BUSINESS_GETTERS, fields ?? ['id', 'name'], 'Business');
}

/** Whether a number counts as coexistence for this view (register/deregister refuse it). */
export function isCoexistence(v: PhoneView): boolean {
  return coexists(v);
}
