import { humanise } from '../../lib/format.js';
import type { ActorType } from './api.js';

export const ACTOR_TYPE_LABELS: Record<ActorType, string> = {
  user: 'User',
  system: 'System',
  cli: 'Command line',
  meta: 'Meta',
  customer: 'Customer (onboarding link)',
};

/** Target types the trail uses; a type from the address that is not listed still shows. */
export const TARGET_TYPES = ['user', 'session', 'invitation', 'setup_link', 'onboarding', 'onboarding_link', 'phone_number', 'privacy_request', 'legal_hold'] as const;

const TARGET_LABELS: Record<string, string> = {
  user: 'User',
  session: 'Session',
  invitation: 'Invitation',
  setup_link: 'Setup link',
  onboarding: 'WhatsApp account (onboarding record)',
  onboarding_link: 'Customer onboarding link',
  phone_number: 'Phone number',
  privacy_request: 'Privacy request',
  legal_hold: 'Legal hold',
  api_token: 'API token',
  sso_settings: 'Single sign-on settings',
};

export function targetLabel(type: string): string {
  return TARGET_LABELS[type] ?? humanise(type);
}

export function actorTypeLabel(type: string): string {
  return (ACTOR_TYPE_LABELS as Record<string, string>)[type] ?? humanise(type);
}

export const KIND_LABELS: Record<string, string> = { before: 'Before', after: 'After', value: 'Value' };

/** Where a target lives in the console, when it has a page. */
export function targetHref(type: string | null, id: string | null): string | null {
  if (!type || !id) return null;
  if (type === 'user') return `/users/${encodeURIComponent(id)}`;
  if (type === 'onboarding') return `/onboarding/${encodeURIComponent(id)}`;
  return null;
}
