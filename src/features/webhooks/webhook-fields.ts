/**
 * Which webhook fields the console processes, which it keeps the raw value of, and which it only
 * logs (metadata, never content). Reference: ../shared/meta-platform-reference.md section 7.
 */

/** Management fields: the change value is kept (until payload_purge_after) and processed. */
export const MANAGEMENT_FIELDS = [
  'account_update',
  'account_review_update',
  'phone_number_name_update',
  'phone_number_quality_update',
  'business_capability_update',
  'message_template_status_update',
  'account_alerts',
] as const;

/** Fields that carry end-customer content the console has no use for: metadata only, state `unhandled`. */
export const CONTENT_FIELDS = ['history', 'smb_message_echoes', 'smb_app_state_sync', 'user_preferences'] as const;

export type ManagementField = (typeof MANAGEMENT_FIELDS)[number];

const MANAGEMENT = new Set<string>(MANAGEMENT_FIELDS);
const CONTENT = new Set<string>(CONTENT_FIELDS);

/** True for a field whose raw value is stored. */
export function isManagementField(field: string): field is ManagementField {
  return MANAGEMENT.has(field);
}

/** True for a known field that carries end-customer content and is not processed. */
export function isContentField(field: string): boolean {
  return CONTENT.has(field);
}

/** The message kinds counted per phone number (status values other than these count as `other`). */
export const MESSAGE_KINDS = ['inbound', 'sent', 'delivered', 'read', 'failed', 'played', 'other'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** account_update events that end the app's access to the WABA: the record is disconnected. */
export const DISCONNECT_EVENTS = ['PARTNER_APP_UNINSTALLED', 'PARTNER_REMOVED', 'ACCOUNT_DELETED', 'ACCOUNT_OFFBOARDED'] as const;
/** account_update events that share the WABA with the app. */
export const SHARE_EVENTS = ['PARTNER_ADDED', 'PARTNER_APP_INSTALLED'] as const;
