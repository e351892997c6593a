import { Badge, Group } from '@mantine/core';
import { STATUS_COLORS, STATUS_LABELS } from './labels.js';
import type { UserListItem } from './api.js';

function invitationExpired(user: UserListItem): boolean {
  if (user.status !== 'invited' || !user.invitationExpiresAt) return false;
  const at = Date.parse(user.invitationExpiresAt);
  return !Number.isNaN(at) && at <= Date.now();
}

/** The user's status, plus "Locked" while an account lock is in force and "Expired" for a lapsed invitation. */
export function StatusBadges({ user }: { user: UserListItem }) {
  return (
    <Group gap={6} wrap="wrap">
      <Badge color={STATUS_COLORS[user.status]}>{STATUS_LABELS[user.status]}</Badge>
      {user.locked ? <Badge color="orange">Locked</Badge> : null}
      {invitationExpired(user) ? <Badge color="red">Invitation expired</Badge> : null}
    </Group>
  );
}
