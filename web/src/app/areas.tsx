import type { ReactNode } from 'react';
import { IconBolt, IconChat, IconHome, IconList, IconShield, IconSliders, IconUserCircle, IconUsers } from '../components/icons.js';

export interface Area {
  path: string;
  label: string;
  /** The ability from `GET /me` needed to see the area; `null` = every signed-in user. */
  ability: string | null;
  icon: ReactNode;
  /** Set while the area is not built yet: finishes "This area arrives with …". */
  arrivesWith?: string;
}

/** The console's areas, in navigation order. Route guards and the navbar both read this list. */
export const AREAS: readonly Area[] = [
  { path: '/', label: 'Overview', ability: null, icon: <IconHome /> },
  { path: '/users', label: 'Users', ability: 'users.list', icon: <IconUsers />, arrivesWith: 'user management: the users list, invitations and roles' },
  {
    path: '/onboarding',
    label: 'WhatsApp onboarding',
    ability: 'onboarding.read',
    icon: <IconChat />,
    arrivesWith: 'WhatsApp Business onboarding through Meta Embedded Signup',
  },
  { path: '/webhooks', label: 'Webhook events', ability: 'webhooks.read', icon: <IconBolt />, arrivesWith: 'the webhook event log' },
  { path: '/audit', label: 'Audit log', ability: 'audit.read', icon: <IconList />, arrivesWith: 'the audit log and its chain verification' },
  { path: '/privacy', label: 'Privacy requests', ability: 'privacy.manage', icon: <IconShield />, arrivesWith: 'the privacy request workflow' },
  { path: '/settings', label: 'Settings', ability: 'settings.manage', icon: <IconSliders />, arrivesWith: 'organisation settings such as retention periods and security' },
  { path: '/account', label: 'My account', ability: null, icon: <IconUserCircle /> },
];
