import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { splitServerErrors } from '../../lib/form-errors.js';
import { useRecordAction, useRefreshOnboarding, type Outcome } from './api.js';

/** Hands the console the two-step verification PIN already set on the number, so registration can go on. */
export function PinModal({
  recordId,
  opened,
  onClose,
  onDone,
}: {
  recordId: string;
  opened: boolean;
  onClose: () => void;
  onDone: (outcome: Outcome) => void;
}) {
  const mutation = useRecordAction(recordId);
  const refresh = useRefreshOnboarding();
  const [pin, setPin] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const close = () => {
    onClose();
    setPin('');
    setFieldError(null);
    setFormError(null);
    mutation.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (!/^\d{6}$/.test(pin)) {
      setFieldError('Enter the 6 digits of the PIN');
      return;
    }
    setFieldError(null);
    setFormError(null);
    mutation.mutate(
      { action: 'pin', pin },
      {
        onSuccess: (outcome) => {
          refresh();
          onDone(outcome);
          close();
        },
        onError: (error) => {
          refresh();
          const split = splitServerErrors(error, ['pin'] as const);
          setFieldError(split.fieldErrors.pin ?? null);
          setFormError(split.formError);
        },
      },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title="Enter the existing PIN" centered>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text fz="sm">
            This number already has a two-step verification PIN. Enter it so the console can register the number. If nobody knows it, change
            it in WhatsApp Manager: Phone numbers → the number → Two-step verification.
          </Text>
          {formError ? (
            <Alert color="red" variant="light" role="alert" title="The PIN was not accepted">
              {formError}
            </Alert>
          ) : null}
          <TextInput
            label="Registration PIN"
            description="6 digits."
            inputMode="numeric"
            autoComplete="off"
            maxLength={6}
            required
            data-autofocus
            value={pin}
            onChange={(event) => {
              setPin(event.currentTarget.value.replace(/\D/g, '').slice(0, 6));
              setFieldError(null);
            }}
            error={fieldError}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', letterSpacing: '0.3em' } }}
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={mutation.isPending}>
              Submit PIN
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
