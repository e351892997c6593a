import type { ReactNode } from 'react';
import {
  IconActivity,
  IconBolt,
  IconChat,
  IconHome,
  IconList,
  IconMail,
  IconShield,
  IconSliders,
  IconUserCircle,
  IconUsers,
} from '../components/icons.js';
import type { Me } from '../lib/session.js';

export interface Area {
  path: string;
  label: string;
  /** The ability from `GET /me` needed to see the area; `null` = every signed-in user. */
  ability: string | null;
  icon: ReactNode;
  /** A further condition on the signed-in user's `GET /me` answer, e.g. the environment. */
  when?: (me: Me) => boolean;
  /** Set while the area is not built yet: finishes "This area arrives with …". */
  arrivesWith?: string;
}

/** True when the signed-in user should see the area in the navigation. */
export function areaVisible(area: Area, me: Me, can: (ability: string) => boolean): boolean {
  return (area.ability === null || can(area.ability)) && (area.when?.(me) ?? true);
}

/** The console's areas, in navigation order. Route guards and the navbar both read this list. */
export const AREAS: readonly Area[] = [
  { path: '/', label: 'Overview', ability: null, icon: <IconHome /> },
  { path: '/users', label: 'Users', ability: 'users.list', icon: <IconUsers /> },
  { path: '/activity', label: 'Sign-in activity', ability: 'users.activity.read', icon: <IconActivity /> },
  { path: '/onboarding', label: 'WhatsApp accounts', ability: 'onboarding.read', icon: <IconChat /> },
  { path: '/webhooks', label: 'Webhook events', ability: 'webhooks.read', icon: <IconBolt /> },
  { path: '/audit', label: 'Audit log', ability: 'audit.read', icon: <IconList /> },
  { path: '/privacy-requests', label: 'Privacy requests', ability: 'privacy.manage', icon: <IconShield /> },
  { path: '/settings', label: 'Settings', ability: 'settings.manage', icon: <IconSliders /> },
  {
    path: '/outbox',
    label: 'Outbox',
    ability: 'outbox.read',
    icon: <IconMail />,
    // Development only: mail is kept here because no SMTP_URL is set.
    when: (me) => me.environment?.outbox === true,
  },
  { path: '/account', label: 'My account', ability: null, icon: <IconUserCircle /> },
];

/**
 * True when the signed-in user may open `link` (an in-app path): the area it belongs to (longest
 * matching path) is visible to them. A notification for owners and admins can point where only
 * owners go; the others see its words without a link that would only say "not allowed".
 */
export function linkOpenFor(link: string, me: Me, can: (ability: string) => boolean): boolean {
  const path = link.split(/[?#]/)[0] ?? link;
  const area = AREAS.filter((a) => a.path !== '/' && (path === a.path || path.startsWith(`${a.path}/`))).sort((a, b) => b.path.length - a.path.length)[0];
  return area ? areaVisible(area, me, can) : true;
}
