/**
 * The one table of notification kinds: which category each belongs to (the mail preference a user
 * sets) and who hears about it. A role audience names a permission action: the recipients are the
 * active users whose role may take it (src/features/access/permissions.ts), so "owners and admins"
 * follows the permission table instead of a second list of roles.
 */
import type { Action } from '../access/permissions.js';

export const NOTIFICATION_CATEGORIES = ['whatsapp', 'privacy', 'operations', 'security'] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];

export interface CategorySpec {
  label: string;
  describe: string;
  /** mail cannot be turned off (security notices about the user's own account) */
  locked: boolean;
}

export const CATEGORY_SPECS: Record<NotificationCategory, CategorySpec> = {
  whatsapp: {
    label: 'WhatsApp connections',
    describe: 'business tokens expiring, expired or refused; connections removed on Meta; accounts disabled; onboarding failures; phone quality; completed onboarding links',
    locked: false,
  },
  privacy: { label: 'Privacy requests', describe: 'a privacy request received, due within 7 days, or overdue', locked: false },
  operations: { label: 'Operations', describe: 'a retention purge or an audit chain verification that failed', locked: false },
  security: {
    label: 'Security of my account',
    describe: 'a sign-in from a new device or address, a password change, a role or status change (always mailed)',
    locked: true,
  },
};

export const NOTIFICATION_KINDS = [
  'token.expiring',
  'token.expired',
  'token.refused',
  'connection.removed',
  'waba.restricted',
  'onboarding.failed',
  'onboarding.action_required',
  'phone.quality_red',
  'link.completed',
  'privacy.received',
  'privacy.due_soon',
  'privacy.overdue',
  'retention.purge_failed',
  'audit.verify_failed',
  'security.sign_in',
  'security.password_changed',
  'security.role_changed',
  'security.status_changed',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** `self`: the one user the event is about; otherwise the permission action recipients may take. */
export type Audience = 'self' | Action;

export const KIND_SPECS: Record<NotificationKind, { category: NotificationCategory; audience: Audience }> = {
  'token.expiring': { category: 'whatsapp', audience: 'onboarding.manage' },
  'token.expired': { category: 'whatsapp', audience: 'onboarding.manage' },
  'token.refused': { category: 'whatsapp', audience: 'onboarding.manage' },
  'connection.removed': { category: 'whatsapp', audience: 'onboarding.manage' },
  'waba.restricted': { category: 'whatsapp', audience: 'onboarding.manage' },
  'onboarding.failed': { category: 'whatsapp', audience: 'onboarding.manage' },
  'onboarding.action_required': { category: 'whatsapp', audience: 'onboarding.manage' },
  'phone.quality_red': { category: 'whatsapp', audience: 'onboarding.manage' },
  'link.completed': { category: 'whatsapp', audience: 'onboarding.manage' },
  'privacy.received': { category: 'privacy', audience: 'privacy.manage' },
  'privacy.due_soon': { category: 'privacy', audience: 'privacy.manage' },
  'privacy.overdue': { category: 'privacy', audience: 'privacy.manage' },
  'retention.purge_failed': { category: 'operations', audience: 'audit.read' },
  'audit.verify_failed': { category: 'operations', audience: 'audit.read' },
  'security.sign_in': { category: 'security', audience: 'self' },
  'security.password_changed': { category: 'security', audience: 'self' },
  'security.role_changed': { category: 'security', audience: 'self' },
  'security.status_changed': { category: 'security', audience: 'self' },
};

export function isNotificationKind(v: string): v is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(v);
}
