import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { ApiError } from '../../lib/api.js';
import { signInErrorMessage } from './messages.js';
import { submitSecondFactor } from './api.js';

/** The code step of sign-in: a 6-digit code from the app, or one of the recovery codes. */
export function SecondFactorStep({ onDone, onRestart }: { onDone: () => void; onRestart: () => void }) {
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [missing, setMissing] = useState<string | null>(null);
  const mutation = useMutation({ mutationFn: submitSecondFactor, onSuccess: onDone, onError: () => setCode('') });
  // A lock or an expired step ends the pending session: the password has to be given again.
  const ended = mutation.error instanceof ApiError && mutation.error.code === 'unauthenticated';

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!code.trim()) {
      setMissing(recovery ? 'Enter one of your recovery codes' : 'Enter the code from your authenticator app');
      return;
    }
    setMissing(null);
    mutation.mutate(code.trim());
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text fz="sm">
          {recovery
            ? 'Enter one of the recovery codes you saved when you set up two-factor authentication. Each code works once.'
            : 'Enter the 6-digit code from your authenticator app.'}
        </Text>
        {mutation.isError ? (
          <Alert color="red" variant="light" role="alert" title="Could not sign in">
            {ended ? 'This sign-in has ended. Start again with your password.' : mutation.error instanceof ApiError && mutation.error.code === 'invalid_credentials' ? 'The code is not valid, or the account cannot sign in right now.' : signInErrorMessage(mutation.error)}
          </Alert>
        ) : null}
        <TextInput
          key={recovery ? 'recovery' : 'totp'}
          label={recovery ? 'Recovery code' : 'Authentication code'}
          name="code"
          inputMode={recovery ? 'text' : 'numeric'}
          autoComplete="one-time-code"
          value={code}
          onChange={(event) => setCode(event.currentTarget.value)}
          error={missing}
          autoFocus
        />
        <Button type="submit" loading={mutation.isPending} fullWidth>
          Verify
        </Button>
        <Anchor component="button" type="button" fz="sm" onClick={() => (setRecovery(!recovery), setCode(''), setMissing(null))}>
          {recovery ? 'Use a code from your authenticator app' : 'Use a recovery code instead'}
        </Anchor>
        <Anchor component="button" type="button" fz="sm" c="dimmed" onClick={onRestart}>
          Start over
        </Anchor>
      </Stack>
    </form>
  );
}
