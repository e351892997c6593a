import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { splitServerErrors } from '../../../lib/form-errors.js';

/** Password and a current code: what re-enrolment and removal of 2FA ask for. */
export function ProofForm({
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
  danger,
}: {
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (proof: { password: string; code: string }) => void;
  onCancel: () => void;
  danger?: boolean;
}) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState<{ password?: string; code?: string }>({});
  const server = splitServerErrors(error, ['password', 'code'] as const);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problems = { password: password ? undefined : 'Enter your password', code: code.trim() ? undefined : 'Enter the code from your app' };
    setMissing(problems);
    if (problems.password || problems.code) return;
    onSubmit({ password, code: code.replace(/\s/g, '') });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm" maw={360}>
        {error && server.formError ? (
          <Alert color="red" variant="light" role="alert">
            {server.formError}
          </Alert>
        ) : null}
        <PasswordInput
          label="Password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={missing.password ?? server.fieldErrors.password}
        />
        <TextInput
          label="Current code from your authenticator app"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={missing.code ?? server.fieldErrors.code}
          maw={220}
        />
        <Group>
          <Button type="submit" loading={pending} color={danger ? 'red' : undefined}>
            {submitLabel}
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
