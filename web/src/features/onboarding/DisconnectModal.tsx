import { useState } from 'react';
import { Alert, Button, Divider, Group, List, Modal, Stack, Text } from '@mantine/core';
import { ApiError, errorMessage } from '../../lib/api.js';
import { useSession } from '../../lib/session.js';
import { useRecordAction, useRefreshOnboarding, type Outcome, type RecordDetail } from './api.js';
import { recordTitle } from './labels.js';
import { RevealPin } from './RevealPin.js';

/** Confirms a disconnect: says what is erased and how to change the PIN; owners may reveal the PIN first. */
export function DisconnectModal({
  record,
  opened,
  onClose,
  onDone,
}: {
  record: RecordDetail;
  opened: boolean;
  onClose: () => void;
  onDone: (outcome: Outcome) => void;
}) {
  const { can } = useSession();
  const mutation = useRecordAction(record.id);
  const refresh = useRefreshOnboarding();
  // Kept here, not in the record: once revealed, the server says it is no longer revealable.
  const [pin, setPin] = useState<string | null>(null);
  const offerReveal = pin !== null || (can('onboarding.pin.reveal') && record.registrationPin.revealable);

  const close = () => {
    onClose();
    setPin(null);
    mutation.reset();
  };

  const disconnect = () => {
    mutation.mutate(
      { action: 'disconnect' },
      {
        onSuccess: (outcome) => {
          refresh();
          onDone(outcome);
          close();
        },
        onError: () => refresh(),
      },
    );
  };

  const error = mutation.error;
  const upstream = error instanceof ApiError && (error.code === 'upstream_failed' || error.status === 502);
  return (
    <Modal opened={opened} onClose={close} title={`Disconnect ${recordTitle(record)}?`} centered size="lg">
      <Stack gap="md">
        <List fz="sm" spacing={4}>
          <List.Item>The console unsubscribes from this WhatsApp Business Account's webhooks and erases its business token from the vault; the record and its history stay.</List.Item>
          <List.Item>
            The registration PIN stored for its phone number is erased. To change the PIN, open WhatsApp Manager: Phone numbers → the number →
            Two-step verification.
          </List.Item>
          <List.Item>You can connect the account again later with Reconnect.</List.Item>
        </List>
        {offerReveal ? (
          <>
            <Divider />
            <RevealPin recordId={record.id} pin={pin} onRevealed={setPin} />
            <Divider />
          </>
        ) : null}
        {error ? (
          <Alert color="red" variant="light" role="alert" title={upstream ? 'Meta refused the unsubscribe' : 'The account was not disconnected'}>
            {errorMessage(error)}
            {upstream ? <Text fz="sm">Nothing changed. Try again in a moment.</Text> : null}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={disconnect} loading={mutation.isPending}>
            Disconnect
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
