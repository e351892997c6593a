import { Alert, Button, Card, Divider, Stack, Text } from '@mantine/core';
import { LoadMore } from '../../components/LoadMore.js';
import { PageHeader } from '../../components/PageHeader.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useMarkAllRead, useMarkRead, useNotificationList, type NotificationItem } from './api.js';
import { NotificationEntry } from './NotificationEntry.js';

/** Every notification of the signed-in user, newest first. */
export function NotificationsPage() {
  const list = useNotificationList();
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = list.data?.pages[0]?.unreadCount ?? 0;
  const open = (item: NotificationItem) => {
    if (item.readAt === null) markRead.mutate(item.id);
  };

  return (
    <>
      <PageHeader
        title="Notifications"
        description="What needs a person: WhatsApp connections, privacy deadlines, failed maintenance and the security of your account. Mail choices are under My account."
      />
      <Card>
        <Button variant="light" mb="md" disabled={unread === 0} loading={markAll.isPending} onClick={() => markAll.mutate()} style={{ alignSelf: 'flex-start' }}>
          Mark all read
        </Button>
        {list.isPending ? (
          <InlineLoader label="Loading notifications…" />
        ) : list.isError && items.length === 0 ? (
          <Alert color="red" variant="light" role="alert">
            {errorMessage(list.error)}
          </Alert>
        ) : items.length === 0 ? (
          <Text c="dimmed" ta="center" py="lg" role="status">
            No notifications.
          </Text>
        ) : (
          <>
            <Stack gap={0} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {items.map((item, i) => (
                <li key={item.id}>
                  {i > 0 ? <Divider /> : null}
                  <NotificationEntry item={item} onOpen={open} />
                </li>
              ))}
            </Stack>
            <LoadMore query={list} />
          </>
        )}
      </Card>
    </>
  );
}
