/**
 * The words of each notification, built from non-secret facts only (ids, names Meta shows, dates,
 * Meta's error code): they are shown in the app and mailed. Producers call one builder and notify.
 */
import type { NotificationInput } from './notify.js';

const day = (d: Date) => d.toISOString().slice(0, 10);
const account = (name: string | null) => (name ? `"${name}"` : 'a WhatsApp Business Account');
const recordLink = (id: string) => `/onboarding/${id}`;
const requestLink = (id: string) => `/privacy-requests/${id}`;

export const messages = {
  tokenExpiring: (recordId: string, key: string, name: string | null, expiresAt: Date): NotificationInput => ({
    kind: 'token.expiring',
    key,
    title: `WhatsApp token expires on ${day(expiresAt)}`,
    body: `The business token of ${account(name)} expires on ${day(expiresAt)}. Reconnect the account before then, or messages stop.`,
    link: recordLink(recordId),
  }),
  tokenExpired: (recordId: string, key: string, name: string | null, expiresAt: Date): NotificationInput => ({
    kind: 'token.expired',
    key,
    title: 'WhatsApp token expired',
    body: `The business token of ${account(name)} expired on ${day(expiresAt)}. Reconnect the account.`,
    link: recordLink(recordId),
  }),
  tokenRefused: (recordId: string, run: number, name: string | null, metaError: number | null): NotificationInput => ({
    kind: 'token.refused',
    key: `${recordId}:${run}`,
    title: 'Meta refused a WhatsApp token',
    body: `Meta no longer accepts the business token of ${account(name)}${metaError ? ` (error ${metaError})` : ''}. Reconnect the account.`,
    link: recordLink(recordId),
  }),
  connectionRemoved: (recordId: string, eventId: string | number, name: string | null, event: string): NotificationInput => ({
    kind: 'connection.removed',
    key: `${recordId}:${eventId}`,
    title: 'WhatsApp connection removed on Meta',
    body: `Meta reports ${event} for ${account(name)}: the connection ended and its token was erased.`,
    link: recordLink(recordId),
  }),
  wabaRestricted: (recordId: string, eventId: string | number, name: string | null, what: string): NotificationInput => ({
    kind: 'waba.restricted',
    key: `${recordId}:${eventId}`,
    title: 'WhatsApp Business Account restricted',
    body: `Meta reports ${what} for ${account(name)}.`,
    link: recordLink(recordId),
  }),
  onboardingFailed: (recordId: string, run: number, step: string, attempt: number, reason: string): NotificationInput => ({
    kind: 'onboarding.failed',
    key: `${recordId}:${run}:${step}:${attempt}`,
    title: `Onboarding failed at ${step}`,
    body: `A WhatsApp onboarding failed for good at the ${step} step: ${reason}`,
    link: recordLink(recordId),
  }),
  onboardingActionRequired: (recordId: string, run: number, step: string, attempt: number, reason: string): NotificationInput => ({
    kind: 'onboarding.action_required',
    key: `${recordId}:${run}:${step}:${attempt}`,
    title: `Onboarding needs you at ${step}`,
    body: `A WhatsApp onboarding stopped at the ${step} step and needs someone: ${reason}`,
    link: recordLink(recordId),
  }),
  phoneQualityRed: (recordId: string, phoneNumberId: string, eventId: string | number, display: string | null): NotificationInput => ({
    kind: 'phone.quality_red',
    key: `${phoneNumberId}:${eventId}`,
    title: 'Phone number quality is low (RED)',
    body: `Meta rated the quality of ${display ?? `phone number ${phoneNumberId}`} low (RED). Its messaging may be limited.`,
    link: recordLink(recordId),
  }),
  linkCompleted: (linkId: string, recordId: string, name: string | null): NotificationInput => ({
    kind: 'link.completed',
    key: linkId,
    title: 'A customer completed an onboarding link',
    body: `${name ? `"${name}"` : 'A WhatsApp Business Account'} is connected through an onboarding link.`,
    link: recordLink(recordId),
  }),
  privacyReceived: (id: string, kind: string, dueAt: Date): NotificationInput => ({
    kind: 'privacy.received',
    key: id,
    title: `Privacy request received (${kind})`,
    body: `A ${kind} request arrived. It is due on ${day(dueAt)}.`,
    link: requestLink(id),
  }),
  privacyDueSoon: (id: string, key: string, kind: string, dueAt: Date): NotificationInput => ({
    kind: 'privacy.due_soon',
    key,
    title: `Privacy request due on ${day(dueAt)}`,
    body: `An open ${kind} request is due on ${day(dueAt)}, within 7 days.`,
    link: requestLink(id),
  }),
  privacyOverdue: (id: string, key: string, kind: string, dueAt: Date): NotificationInput => ({
    kind: 'privacy.overdue',
    key,
    title: 'Privacy request overdue',
    body: `An open ${kind} request was due on ${day(dueAt)} and is overdue.`,
    link: requestLink(id),
  }),
  purgeFailed: (runId: number, error: string): NotificationInput => ({
    kind: 'retention.purge_failed',
    key: String(runId),
    title: 'Retention purge failed',
    body: `Purge run ${runId} stopped: ${error.slice(0, 300)}. It runs again at its next schedule; an owner can run it from Settings.`,
    link: '/settings',
  }),
  auditVerifyFailed: (verifiedUpTo: number, firstBreak: number | null): NotificationInput => ({
    kind: 'audit.verify_failed',
    key: `${firstBreak ?? 'none'}:${verifiedUpTo}`,
    title: 'Audit chain verification failed',
    body: `The audit chain verification found a break${firstBreak !== null ? ` at position ${firstBreak}` : ''}; events up to ${verifiedUpTo} verified.`,
    link: '/audit/integrity',
  }),
  signIn: (userId: string, at: Date, what: 'device' | 'address'): NotificationInput => ({
    kind: 'security.sign_in',
    key: `${userId}:${at.getTime()}`,
    userId,
    title: `New sign-in from a new ${what}`,
    body: `Your account was signed in to at ${at.toISOString().replace('T', ' ').slice(0, 16)} UTC from a ${what} not seen before. If it was not you, end that session under "My account", Sessions, and change your password.`,
    link: '/account',
  }),
  passwordChanged: (userId: string, at: Date): NotificationInput => ({
    kind: 'security.password_changed',
    key: `${userId}:${at.getTime()}`,
    userId,
    title: 'Your password was changed',
    body: 'The password of your account was changed. If it was not you, ask an owner or admin to reset it at once.',
    link: '/account',
  }),
  roleChanged: (userId: string, at: Date, from: string, to: string): NotificationInput => ({
    kind: 'security.role_changed',
    key: `${userId}:${at.getTime()}`,
    userId,
    title: `Your role changed to ${to}`,
    body: `Your role changed from ${from} to ${to}.`,
    link: '/account',
  }),
  statusChanged: (userId: string, at: Date, status: string): NotificationInput => ({
    kind: 'security.status_changed',
    key: `${userId}:${status}:${at.getTime()}`,
    userId,
    title: `Your account was ${status}`,
    body: `Your account was ${status} by an owner or admin.`,
    link: '/account',
  }),
};
