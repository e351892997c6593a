/** Requests of the caller's own 2FA and step-up (docs/API-v1-two-factor.md). */
import { queryOptions } from '@tanstack/react-query';
import { api } from '../../../lib/api.js';

export interface TwoFactorStatus {
  enrolled: boolean;
  enrolledAt: string | null;
  recoveryCodesLeft: number;
  required: boolean;
  /** when the grace period to enrol ends (null when not required) */
  graceEndsAt: string | null;
  /** owners and admins without 2FA are told it is recommended */
  recommended: boolean;
}

export interface Enrolment {
  secret: string;
  otpauthUri: string;
  /** the QR code as a data: URL */
  qrCode: string;
}

export const twoFactorQuery = queryOptions({
  queryKey: ['account', 'two-factor'] as const,
  queryFn: ({ signal }) => api.get<TwoFactorStatus>('/me/two-factor', { signal }),
  staleTime: 60_000,
});

export const startEnrolment = (body: { password?: string; code?: string }) => api.post<Enrolment>('/me/two-factor/enrolment', body);
export const confirmEnrolment = (code: string) => api.post<{ recoveryCodes: string[] }>('/me/two-factor/enrolment/confirm', { code });
export const removeTwoFactor = (body: { password: string; code: string }) => api.post<void>('/me/two-factor/remove', body);
export const proveIdentity = (body: { password: string } | { code: string }) => api.post<{ provedAt: string }>('/me/step-up', body);

/** Whole days left until `until` (at least 0), counted up so "less than a day" shows as 1. */
export function daysLeft(until: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((new Date(until).getTime() - now) / (24 * 3600_000)));
}
