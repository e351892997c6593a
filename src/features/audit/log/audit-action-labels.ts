/**
 * Each audit action in plain words, for the viewer, its action filter and the export. Partial on
 * purpose: an action added elsewhere before its label still shows (as its code made readable), and
 * audit-action-labels.test.ts names any action of audit.types.ts that has no label yet.
 */
import type { AuditAction } from '../audit.types.js';

export const AUDIT_ACTION_LABELS: Partial<Record<AuditAction, string>> = {
  'setup.link_created': 'Setup link created',
  'setup.completed': 'First owner set up',
  'profile.updated': 'Profile updated',
  'password.changed': 'Password changed',
  'session.signed_out': 'Signed out',
  'session.ended': 'Session ended',
  'session.ended_others': 'Other sessions ended',
  'user.invited': 'User invited',
  'invitation.resent': 'Invitation resent',
  'invitation.revoked': 'Invitation revoked',
  'invitation.accepted': 'Invitation accepted',
  'user.role_changed': 'Role changed',
  'user.deactivated': 'User deactivated',
  'user.reactivated': 'User reactivated',
  'user.removed': 'User removed',
  'user.sessions_ended': "User's sessions ended",
  'user.unlocked': 'User unlocked',
  'password.reset_sent': 'Password reset link sent',
  'password.reset_completed': 'Password reset completed',
  'vault.secret_used': 'Stored credential used',
  'vault.key_rotated': 'Encryption key rotated',
  'onboarding.started': 'WhatsApp onboarding started',
  'onboarding.connected': 'WhatsApp account connected',
  'onboarding.failed': 'WhatsApp onboarding step failed',
  'onboarding.action_required': 'WhatsApp onboarding needs action',
  'onboarding.abandoned': 'WhatsApp onboarding abandoned',
  'onboarding.reconnected': 'WhatsApp account reconnected',
  'onboarding.disconnected': 'WhatsApp account disconnected',
  'onboarding.disconnect_failed': 'WhatsApp disconnect refused by Meta',
  'onboarding.pin_revealed': 'Registration PIN revealed',
  'onboarding.pin_entered': 'Registration PIN entered',
  'onboarding.token_invalid': 'WhatsApp token no longer valid',
  'onboarding.disconnected_by_meta': 'WhatsApp account disconnected by Meta',
  'onboarding_link.created': 'Customer onboarding link created',
  'onboarding_link.opened': 'Customer onboarding link opened',
  'onboarding_link.completed': 'Customer onboarding link used',
  'onboarding_link.revoked': 'Customer onboarding link revoked',
  'meta.deauthorize_received': 'Deauthorize notice from Meta',
  'privacy.request_received': 'Privacy request received',
  'privacy.request_verified': 'Privacy request verified',
  'privacy.request_extended': 'Privacy request deadline extended',
  'privacy.request_rejected': 'Privacy request rejected',
  'privacy.request_cancelled': 'Privacy request cancelled',
  'privacy.request_completed': 'Privacy request completed',
  'privacy.export_downloaded': 'Personal data export downloaded',
  'privacy.correction_applied': 'Personal data corrected',
  'privacy.email_change_sent': 'Email change confirmation sent',
  'privacy.email_changed': 'Email address changed',
  'audit.anchored': 'Audit chain anchored',
  'audit.verified': 'Audit chain verified',
  'audit.exported': 'Audit log exported',
  'retention.changed': 'Retention period changed',
  'legal_hold.placed': 'Legal hold placed',
  'legal_hold.lifted': 'Legal hold lifted',
  'retention.purged': 'Retention purge ran',
  'notification.security_sent': 'Security notice sent to user',
  'two_factor.enrolled': 'Two-factor sign-in set up',
  'two_factor.removed': 'Two-factor sign-in removed',
  'two_factor.reset': "User's two-factor sign-in reset",
  'two_factor.recovery_code_used': 'Recovery code used',
  'two_factor.policy_changed': 'Two-factor policy changed',
  'step_up.proved': 'Identity confirmed again',
  'api_token.created': 'API token created',
  'api_token.revoked': 'API token revoked',
  'sso.settings_changed': 'Single sign-on settings changed',
  'sso.user_created': 'User created by single sign-on',
  'sso.user_linked': 'Account linked to single sign-on',
};

/** The action in plain words: its label, else its code made readable ("user.role_changed" -> "User role changed"). */
export function actionLabel(action: string): string {
  const known = (AUDIT_ACTION_LABELS as Record<string, string | undefined>)[action];
  if (known) return known;
  const words = action.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The known actions with their labels, sorted by label (the viewer's action filter). */
export function knownActions(): { action: string; label: string }[] {
  return Object.entries(AUDIT_ACTION_LABELS)
    .map(([action, label]) => ({ action, label: label as string }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
