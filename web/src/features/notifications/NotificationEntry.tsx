import { Anchor, Badge, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { linkOpenFor } from '../../app/areas.js';
import { formatDateTime } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import type { NotificationItem } from './api.js';

/** One notification: its title links to the thing concerned (when the reader may open it) and marks it read on the way. */
export function NotificationEntry({ item, onOpen }: { item: NotificationItem; onOpen: (item: NotificationItem) => void }) {
  const unread = item.readAt === null;
  const session = useSession();
  const link = item.link && linkOpenFor(item.link, session, session.can) ? item.link : null;
  return (
    <Stack gap={2} py={6} data-unread={unread ? 'true' : 'false'}>
      <Group gap="xs" wrap="nowrap" align="baseline">
        {unread ? (
          <Badge size="xs" color="blue" variant="filled" aria-label="Unread">
            new
          </Badge>
        ) : null}
        {link ? (
          <Anchor component={Link} to={link} fw={unread ? 700 : 500} fz="sm" onClick={() => onOpen(item)}>
            {item.title}
          </Anchor>
        ) : (
          <Text fw={unread ? 700 : 500} fz="sm">
            {item.title}
          </Text>
        )}
      </Group>
      <Text fz="sm" c="dimmed">
        {item.body}
      </Text>
      <Text fz="xs" c="dimmed">
        <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
      </Text>
    </Stack>
  );
}
