import { queryOptions } from '@tanstack/react-query';
import { api } from '../../../lib/api.js';

export type SsoRole = 'admin' | 'operator' | 'viewer';

export interface SsoSettings {
  enabled: boolean;
  issuer: string;
  clientId: string;
  displayName: string;
  allowedDomains: string[];
  unknownUsers: 'refuse' | 'invite';
  defaultRole: SsoRole | 'owner';
  passwordForNonOwners: boolean;
  updatedAt: string;
}

export interface SsoSettingsView {
  settings: SsoSettings | null;
  clientSecretSet: boolean;
  redirectUri: string;
}

export type SsoSettingsInput = Omit<SsoSettings, 'updatedAt' | 'defaultRole'> & { defaultRole: SsoRole; clientSecret?: string };

export const ssoSettingsQuery = queryOptions({
  queryKey: ['settings', 'sso'] as const,
  queryFn: ({ signal }) => api.get<SsoSettingsView>('/settings/sso', { signal }),
});

export const saveSsoSettings = (body: SsoSettingsInput) => api.put<SsoSettingsView>('/settings/sso', body);
export const startSsoTest = () => api.post<{ url: string }>('/settings/sso/test');

/** Plain words for the reasons the server gives when an SSO sign-in (or a test) is refused. */
export const SSO_FAILURES: Record<string, string> = {
  not_configured: 'Single sign-on is not set up.',
  bad_state: 'The sign-in could not be matched to this browser. Start again from this page.',
  expired: 'The sign-in took too long. Start again.',
  provider_unavailable: 'The identity provider could not be reached. Try again later.',
  provider_error: 'The identity provider did not complete the sign-in.',
  token_invalid: "The identity provider's answer could not be verified.",
  email_unverified: 'The identity provider has not verified your email address.',
  domain_not_allowed: 'Your email domain is not allowed to sign in here.',
  unknown_user: 'There is no account for you here. Ask an owner or admin to invite you.',
  account_inactive: 'Your account here is not active. Ask an owner or admin.',
  subject_mismatch: 'Your account here is linked to a different identity at the provider.',
};
