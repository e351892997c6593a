import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, PasswordInput, Stack, Text } from '@mantine/core';
import { ApiError, errorMessage } from '../../lib/api.js';
import { useRefreshOnboarding, useRevealPin } from './api.js';
import { RevealedPin } from './RevealedPin.js';

/** "Reveal PIN first": asks for the caller's password, then shows the PIN once. */
export function RevealPin({ recordId, pin, onRevealed }: { recordId: string; pin: string | null; onRevealed: (pin: string) => void }) {
  const mutation = useRevealPin(recordId);
  const refresh = useRefreshOnboarding();
  const [asking, setAsking] = useState(false);
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState<string | null>(null);

  if (pin !== null) return <RevealedPin pin={pin} />;

  if (!asking) {
    return (
      <Group>
        <Button variant="light" onClick={() => setAsking(true)}>
          Reveal PIN first
        </Button>
      </Group>
    );
  }

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (!password) {
      setPasswordError('Enter your password');
      return;
    }
    setPasswordError(null);
    mutation.mutate(password, {
      onSuccess: (result) => {
        setPassword('');
        onRevealed(result.pin);
        refresh();
      },
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'invalid_credentials') setPasswordError(errorMessage(error, 'The password is not correct'));
        if (error instanceof ApiError && error.status === 409) refresh();
      },
    });
  };

  const otherError = mutation.error && !(mutation.error instanceof ApiError && mutation.error.code === 'invalid_credentials') ? mutation.error : null;
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text fz="sm">Enter your password to see the PIN. It can be revealed only once.</Text>
        {otherError ? (
          <Alert color="red" variant="light" role="alert" title="The PIN could not be revealed">
            {errorMessage(otherError)}
          </Alert>
        ) : null}
        <PasswordInput
          label="Your password"
          autoComplete="current-password"
          required
          data-autofocus
          value={password}
          onChange={(event) => {
            setPassword(event.currentTarget.value);
            setPasswordError(null);
          }}
          error={passwordError}
        />
        <Group gap="sm">
          <Button type="submit" variant="light" loading={mutation.isPending}>
            Reveal PIN
          </Button>
          <Button variant="subtle" onClick={() => setAsking(false)}>
            Not now
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
