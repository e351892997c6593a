import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Code, Group, Image, List, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { splitServerErrors } from '../../../lib/form-errors.js';
import { confirmEnrolment, startEnrolment, type Enrolment } from './api.js';

/**
 * Enrolment: the QR code and the secret as text, a first code to confirm, then the ten recovery codes
 * shown once. `initial`: an enrolment already started (a re-enrolment, started with password and code).
 * Used on the account page and right after the password when enrolment is required.
 */
export function EnrolmentFlow({
  initial,
  onDone,
  onCancel,
  doneLabel = 'Done',
}: {
  initial?: Enrolment;
  onDone: () => void;
  onCancel?: () => void;
  doneLabel?: string;
}) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(initial ?? null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  const start = useMutation({ mutationFn: () => startEnrolment({}), onSuccess: setEnrolment });
  // Starts at once (a new secret each time the flow opens); the ref keeps it to one start per flow.
  const started = useRef(false);
  useEffect(() => {
    if (started.current || initial) return;
    started.current = true;
    start.mutate();
  }, []);
  const confirm = useMutation({
    mutationFn: confirmEnrolment,
    onSuccess: (r) => setRecoveryCodes(r.recoveryCodes),
    onError: (error) => {
      const split = splitServerErrors(error, ['code'] as const);
      setCodeError(split.fieldErrors.code ?? split.formError);
    },
  });

  if (recoveryCodes) {
    return (
      <Stack gap="sm">
        <Alert color="green" variant="light" role="status" title="Two-factor authentication is on">
          Save these recovery codes somewhere safe. Each one signs you in once if you lose your device. They are shown only now.
        </Alert>
        <List spacing={2} data-testid="recovery-codes" aria-label="Recovery codes" listStyleType="none">
          {recoveryCodes.map((c) => (
            <List.Item key={c}>
              <Code fz="sm">{c}</Code>
            </List.Item>
          ))}
        </List>
        <Group>
          <Button onClick={onDone}>{doneLabel}</Button>
        </Group>
      </Stack>
    );
  }

  if (!enrolment) {
    return (
      <Stack gap="sm">
        {start.isError ? (
          <Alert color="red" variant="light" role="alert">
            {splitServerErrors(start.error, []).formError ?? 'Could not start. Try again.'}
          </Alert>
        ) : null}
        <Group>
          <Button onClick={() => start.mutate()} loading={start.isPending} disabled={!start.isError}>
            {start.isError ? 'Try again' : 'Preparing…'}
          </Button>
          {onCancel ? (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
        </Group>
      </Stack>
    );
  }

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!/^\d{6}$/.test(code.replace(/\s/g, ''))) {
      setCodeError('Enter the 6-digit code from your app');
      return;
    }
    setCodeError(null);
    confirm.mutate(code.replace(/\s/g, ''));
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm" maw={420}>
        <Text fz="sm">1. Scan this QR code with an authenticator app (for example Google Authenticator, 1Password or Aegis).</Text>
        <Image src={enrolment.qrCode} alt="QR code for your authenticator app" w={180} h={180} />
        <Text fz="sm">Or enter this key by hand:</Text>
        <Code fz="sm" data-testid="totp-secret" style={{ wordBreak: 'break-all' }}>
          {enrolment.secret}
        </Code>
        <TextInput
          label="2. Enter the 6-digit code the app shows"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={codeError}
          maw={220}
        />
        <Group>
          <Button type="submit" loading={confirm.isPending}>
            Confirm
          </Button>
          {onCancel ? (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
        </Group>
      </Stack>
    </form>
  );
}
