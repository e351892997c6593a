import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { formatDateTime, summariseUserAgent } from '../../lib/format.js';
import { accountKeys, endOtherSessions, endSession, listSessions, type SessionItem } from './api.js';
import { Section } from '../../components/Section.js';
import { SessionsTable } from '../../components/SessionsTable.js';

export function SessionsSection() {
  const queryClient = useQueryClient();
  // The session awaiting confirmation; kept while the modal closes so its text does not flicker.
  const [confirming, setConfirming] = useState<SessionItem | null>(null);
  const [modalOpened, setModalOpened] = useState(false);
  const askToEnd = (session: SessionItem) => {
    setConfirming(session);
    setModalOpened(true);
  };
  const closeModal = () => setModalOpened(false);

  const sessions = useQuery({
    queryKey: accountKeys.sessions,
    queryFn: ({ signal }) => listSessions(signal),
  });

  const refresh = () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions });

  const endOne = useMutation({
    mutationFn: (session: SessionItem) => endSession(session.id),
    onSuccess: () => {
      closeModal();
      notifications.show({ color: 'green', message: 'Session ended' });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'The session could not be ended', message: errorMessage(error) }),
    onSettled: refresh,
  });

  const endOthers = useMutation({
    mutationFn: endOtherSessions,
    onSuccess: ({ ended }) => {
      notifications.show({
        color: 'green',
        message: ended === 1 ? 'Signed out 1 other session' : `Signed out ${ended} other sessions`,
      });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not sign out other sessions', message: errorMessage(error) }),
    onSettled: refresh,
  });

  const items = sessions.data?.items ?? [];
  const others = items.filter((item) => !item.current);

  return (
    <Section
      title="Sessions"
      description="Browsers and devices signed in to your account."
      actions={
        <Button
          variant="default"
          onClick={() => endOthers.mutate()}
          loading={endOthers.isPending}
          disabled={!sessions.isSuccess || others.length === 0}
        >
          Sign out everywhere else
        </Button>
      }
    >
      {sessions.isPending ? (
        <InlineLoader label="Loading sessions…" />
      ) : sessions.isError ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(sessions.error)}
        </Alert>
      ) : (
        <SessionsTable
          items={items}
          device={(item) => (
            <Group gap={6} wrap="wrap">
              <Text fz="sm" title={item.userAgent ?? undefined}>
                {summariseUserAgent(item.userAgent)}
              </Text>
              {item.current ? (
                <Badge color="green" style={{ flexShrink: 0 }}>
                  This device
                </Badge>
              ) : null}
            </Group>
          )}
          last={{
            header: <span className="visually-hidden">Actions</span>,
            align: 'right',
            cell: (item) =>
              item.current ? null : (
                <Button size="xs" variant="light" color="red" onClick={() => askToEnd(item)}>
                  End
                </Button>
              ),
          }}
        />
      )}

      <Modal
        opened={modalOpened}
        onClose={closeModal}
        title="End this session?"
        centered
      >
        {confirming ? (
          <Stack gap="md">
            <Text fz="sm">
              {summariseUserAgent(confirming.userAgent)}
              {confirming.ip ? `, ${confirming.ip}` : ''} — last seen {formatDateTime(confirming.lastSeenAt ?? confirming.createdAt)}.
              That browser will be signed out.
            </Text>
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={closeModal}>
                Cancel
              </Button>
              <Button color="red" loading={endOne.isPending} onClick={() => endOne.mutate(confirming)}>
                End session
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>
    </Section>
  );
}
