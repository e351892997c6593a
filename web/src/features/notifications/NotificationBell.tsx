import { useState } from 'react';
import { ActionIcon, Anchor, Button, Divider, Group, Indicator, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useMarkAllRead, useMarkRead, useRecentNotifications, useUnreadCount, type NotificationItem } from './api.js';
import { IconBell } from './IconBell.js';
import { NotificationEntry } from './NotificationEntry.js';

/** The header's bell: the unread count, and the latest notifications in a popover. */
export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const unread = useUnreadCount();
  const recent = useRecentNotifications(opened);
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const count = unread.data?.unreadCount ?? 0;
  const label = count === 0 ? 'Notifications, none unread' : `Notifications, ${count} unread`;

  const open = (item: NotificationItem) => {
    if (item.readAt === null) markRead.mutate(item.id);
    setOpened(false);
  };
  const items = recent.data?.items ?? [];

  return (
    <Indicator label={count > 99 ? '99+' : String(count)} size={18} disabled={count === 0} color="red" offset={4}>
      <Popover opened={opened} onChange={setOpened} position="bottom-end" width={360} shadow="md" withinPortal>
        {/* the target is the button itself: Popover puts aria-expanded / aria-controls on it */}
        <Popover.Target>
          <ActionIcon variant="subtle" color="gray" size="lg" aria-label={label} onClick={() => setOpened((o) => !o)}>
            <IconBell />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown aria-label="Notifications">
          <Group justify="space-between" mb="xs">
            <Text fw={700}>Notifications</Text>
            <Button variant="subtle" size="compact-xs" disabled={count === 0} loading={markAll.isPending} onClick={() => markAll.mutate()}>
              Mark all read
            </Button>
          </Group>
          {recent.isPending ? (
            <InlineLoader label="Loading notifications…" />
          ) : recent.isError ? (
            <Text c="red" fz="sm" role="alert">
              {errorMessage(recent.error)}
            </Text>
          ) : items.length === 0 ? (
            <Text c="dimmed" fz="sm" role="status">
              Nothing yet.
            </Text>
          ) : (
            <ScrollArea.Autosize mah={380}>
              <Stack gap={0}>
                {items.map((item, i) => (
                  <div key={item.id}>
                    {i > 0 ? <Divider /> : null}
                    <NotificationEntry item={item} onOpen={open} />
                  </div>
                ))}
              </Stack>
            </ScrollArea.Autosize>
          )}
          <Divider my="xs" />
          <Anchor component={Link} to="/notifications" fz="sm" onClick={() => setOpened(false)}>
            All notifications
          </Anchor>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
