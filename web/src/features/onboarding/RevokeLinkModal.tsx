import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../lib/api.js';
import { useRefreshOnboarding, useRevokeLink, type OnboardingLink } from './api.js';

/** Confirms, then revokes a customer link: it stops working at once. */
export function RevokeLinkModal({ link, opened, onClose }: { link: OnboardingLink; opened: boolean; onClose: () => void }) {
  const mutation = useRevokeLink();
  const refresh = useRefreshOnboarding();

  const close = () => {
    onClose();
    mutation.reset();
  };

  const revoke = () => {
    mutation.mutate(link.id, {
      onSuccess: () => {
        notifications.show({ color: 'green', message: `Link ${link.label} revoked` });
        refresh();
        close();
      },
      // The link may have been used or revoked meanwhile: show what holds now.
      onError: () => refresh(),
    });
  };

  return (
    <Modal opened={opened} onClose={close} title={`Revoke the link ${link.label}?`} centered>
      <Stack gap="md">
        <Text fz="sm">
          The link stops working at once: a customer who opens it is told it is no longer valid. An account already connected through it
          stays connected.
        </Text>
        {mutation.error ? (
          <Alert color="red" variant="light" role="alert" title="The link was not revoked">
            {errorMessage(mutation.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={revoke} loading={mutation.isPending}>
            Revoke link
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
