/**
 * Plain words for what Meta reported about a record (docs/API-v1-onboarding.md: metaStatus, history,
 * message counters). Meta's codes are kept as a fallback (humanised) so a new code still reads.
 */
import { formatDateTime, humanise } from '../../lib/format.js';
import type { HistoryItem, MessageKind } from './api.js';
import { stateLabel } from './labels.js';

const BAN_LABELS: Record<string, string> = {
  DISABLE: 'Disabled',
  SCHEDULE_FOR_DISABLE: 'Scheduled to be disabled',
  REINSTATE: 'Reinstated',
};
const BAN_COLORS: Record<string, string> = { DISABLE: 'red', SCHEDULE_FOR_DISABLE: 'orange', REINSTATE: 'green' };

/** Meta's ban state of the WABA. */
export function banLabel(state: string | null): string {
  return state ? (BAN_LABELS[state] ?? humanise(state.toLowerCase())) : 'Unknown';
}
export function banColor(state: string | null): string {
  return (state && BAN_COLORS[state]) ?? 'gray';
}

const REVIEW_COLORS: Record<string, string> = { APPROVED: 'green', REJECTED: 'red', PENDING: 'blue', DEFERRED: 'yellow' };

/** Meta's account review decision (APPROVED, REJECTED, PENDING, DEFERRED). */
export function reviewLabel(decision: string | null): string {
  return decision ? humanise(decision.toLowerCase()) : 'Unknown';
}
export function reviewColor(decision: string | null): string {
  return (decision && REVIEW_COLORS[decision]) ?? 'gray';
}

/** A violation type ("SCAM" → "Scam"). */
export function violationLabel(type: string | null): string {
  return type ? humanise(type.toLowerCase()) : 'Unknown type';
}

const EVENT_LABELS: Record<string, string> = {
  PARTNER_ADDED: 'shared with the app',
  PARTNER_APP_INSTALLED: 'app installed',
  PARTNER_APP_UNINSTALLED: 'app uninstalled',
  PARTNER_REMOVED: 'app removed as partner',
  ACCOUNT_DELETED: 'account deleted',
  ACCOUNT_OFFBOARDED: 'account offboarded',
  ACCOUNT_RECONNECTED: 'account reconnected',
  DISABLED_UPDATE: 'ban state changed',
  ACCOUNT_VIOLATION: 'policy violation',
  FLAGGED: 'quality flagged as low',
  UNFLAGGED: 'quality no longer flagged',
  DOWNGRADE: 'messaging limit lowered',
  UPGRADE: 'messaging limit raised',
  deauthorize: 'the person who connected it removed the app',
};

/** Meta's event name in words, first letter as given ("app uninstalled"). */
export function eventWords(event: string | null | undefined): string {
  if (!event) return 'unknown event';
  return EVENT_LABELS[event] ?? humanise(event.toLowerCase()).toLowerCase();
}

/** Capitalised form of eventWords. */
export function eventLabel(event: string | null | undefined): string {
  const words = eventWords(event);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A tier or limit ("TIER_1K" → "Tier 1K", "250" stays). */
export function tierLabel(tier: string | null | undefined): string {
  if (!tier) return '—';
  return /^TIER_/i.test(tier) ? `Tier ${tier.slice(5).replace(/_/g, ' ')}` : humanise(tier);
}

const SOURCE_LABELS: Record<string, string> = {
  account_update: 'Account update',
  account_review_update: 'Account review',
  business_capability_update: 'Business capabilities',
  phone_number_name_update: 'Display name review',
  phone_number_quality_update: 'Phone number quality',
  deauthorize: 'Deauthorize callback',
};

/** Where a history line came from (the webhook field, or the deauthorize callback). */
export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? humanise(source);
}

const TOPIC_LABELS: Record<string, string> = {
  partner: 'Sharing with the app',
  account: 'Account',
  ban: 'Ban state',
  violation: 'Violation',
  review: 'Account review',
  capabilities: 'Capabilities',
  state: 'Record state',
  deauthorized: 'App removed by the person who connected it',
  name_status: 'Display name',
  messaging_limit: 'Quality and messaging limit',
};

/** What a history line is about. */
export function topicLabel(topic: string): string {
  return TOPIC_LABELS[topic] ?? humanise(topic);
}

type Facts = NonNullable<HistoryItem['after']>;
const s = (v: Facts[string] | undefined): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);

/** One side of a history line in plain words ("Disconnected (app uninstalled)", "Tier 1K"), or "nothing" when absent. */
export function describeFacts(topic: string, facts: HistoryItem['after']): string {
  if (!facts) return 'nothing reported';
  switch (topic) {
    case 'state': {
      const state = s(facts.state);
      const why = s(facts.event) ? eventWords(s(facts.event)) : s(facts.reason);
      return `${state ? stateLabel(state) : 'Unknown'}${why ? ` (${why})` : ''}`;
    }
    case 'partner':
    case 'account':
      return eventLabel(s(facts.event));
    case 'ban':
      return `${banLabel(s(facts.state))}${s(facts.date) ? ` (${s(facts.date)})` : ''}`;
    case 'violation':
      return violationLabel(s(facts.type));
    case 'review':
      return reviewLabel(s(facts.decision));
    case 'capabilities': {
      const parts = [
        s(facts.maxDailyConversationsPerBusiness) ? `messaging limit ${tierLabel(s(facts.maxDailyConversationsPerBusiness))}` : null,
        s(facts.maxPhoneNumbersPerBusiness) ? `up to ${s(facts.maxPhoneNumbersPerBusiness)} phone numbers per business` : null,
        s(facts.maxPhoneNumbersPerWaba) ? `up to ${s(facts.maxPhoneNumbersPerWaba)} phone numbers per account` : null,
      ].filter(Boolean);
      return parts.length > 0 ? humanise(parts.join(', ')) : 'No limits given';
    }
    case 'deauthorized': {
      const at = s(facts.at);
      return `${humanise(s(facts.note) ?? 'the person who connected it removed the app')}${at ? ` (${formatDateTime(at)})` : ''}`;
    }
    case 'name_status': {
      const reason = s(facts.rejectionReason);
      return `${reviewLabel(s(facts.decision))}${reason ? ` (${humanise(reason.toLowerCase()).toLowerCase()})` : ''}`;
    }
    case 'messaging_limit': {
      const tier = s(facts.tier);
      return `${eventLabel(s(facts.event))}${tier ? `, ${tierLabel(tier)}` : ''}`;
    }
    default: {
      const parts = Object.entries(facts)
        .filter(([, v]) => v !== null && v !== '')
        .map(([k, v]) => `${humanise(k)}: ${String(v)}`);
      return parts.length > 0 ? parts.join(', ') : 'nothing reported';
    }
  }
}

/** The message kinds shown per phone number, in reading order. */
export const MESSAGE_KINDS: readonly { kind: MessageKind; label: string }[] = [
  { kind: 'inbound', label: 'Inbound' },
  { kind: 'sent', label: 'Sent' },
  { kind: 'delivered', label: 'Delivered' },
  { kind: 'read', label: 'Read' },
  { kind: 'failed', label: 'Failed' },
  { kind: 'played', label: 'Played' },
  { kind: 'other', label: 'Other' },
];
