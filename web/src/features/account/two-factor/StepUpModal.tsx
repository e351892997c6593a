import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button, Group, Modal, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { setStepUpHandler } from '../../../lib/api.js';
import { splitServerErrors } from '../../../lib/form-errors.js';
import { proveIdentity, twoFactorQuery } from './api.js';

/**
 * The inline "confirm it is you" prompt of step-up. Mounted once in the signed-in layout: it
 * registers itself with the api client, which opens it when a sensitive action answers
 * `step_up_required` and sends the request again once the password or a code was accepted.
 */
export function StepUpModal() {
  const [open, setOpen] = useState(false);
  const [method, setMethod] = useState<'password' | 'code'>('password');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  const twoFactor = useQuery({ ...twoFactorQuery, enabled: open });
  const enrolled = twoFactor.data?.enrolled === true;

  useEffect(() => {
    setStepUpHandler(
      () =>
        new Promise<boolean>((resolve) => {
          resolver.current?.(false);
          resolver.current = resolve;
          setValue('');
          setError(null);
          setMethod('password');
          setOpen(true);
        }),
    );
    return () => setStepUpHandler(null);
  }, []);

  const close = (ok: boolean) => {
    setOpen(false);
    resolver.current?.(ok);
    resolver.current = null;
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!value.trim()) {
      setError(method === 'password' ? 'Enter your password' : 'Enter the code from your app');
      return;
    }
    setPending(true);
    try {
      await proveIdentity(method === 'password' ? { password: value } : { code: value.replace(/\s/g, '') });
      close(true);
    } catch (err) {
      const split = splitServerErrors(err, ['password', 'code'] as const);
      setError(split.fieldErrors.password ?? split.fieldErrors.code ?? split.formError);
    } finally {
      setPending(false);
    }
  };

  return (
    // Above any dialog that triggered it (the disconnect confirmation is itself a modal).
    <Modal opened={open} onClose={() => close(false)} title="Confirm it is you" centered zIndex={500}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <Text fz="sm">This is a sensitive action. Enter your password{enrolled ? ' or a code from your authenticator app' : ''} to continue.</Text>
          {enrolled ? (
            <SegmentedControl
              aria-label="Confirm with"
              value={method}
              onChange={(v) => {
                setMethod(v as 'password' | 'code');
                setValue('');
                setError(null);
              }}
              data={[
                { value: 'password', label: 'Password' },
                { value: 'code', label: 'Authenticator code' },
              ]}
            />
          ) : null}
          {method === 'password' ? (
            <PasswordInput label="Password" name="step-up-password" autoComplete="current-password" value={value} onChange={(e) => setValue(e.currentTarget.value)} error={error} data-autofocus />
          ) : (
            <TextInput label="Code" name="step-up-code" inputMode="numeric" autoComplete="one-time-code" value={value} onChange={(e) => setValue(e.currentTarget.value)} error={error} data-autofocus />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => close(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              Confirm
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
