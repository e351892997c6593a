import { useState, type FormEvent } from 'react';
import { Alert, Button, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { NewPasswordFields } from '../../components/NewPasswordFields.js';
import { isApiError } from '../../lib/api.js';
import type { FieldErrors } from '../../lib/form-errors.js';
import { newPasswordErrors } from '../../lib/new-password.js';
import { useEnterSession } from '../../lib/use-enter-session.js';
import { useFormFields } from '../../lib/use-form-fields.js';
import { completeSetup } from './api.js';

const FIELDS = ['email', 'displayName', 'password', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

export function SetupForm({ token, initialEmail, initialDisplayName }: { token: string; initialEmail: string; initialDisplayName: string }) {
  const enterSession = useEnterSession();
  const form = useFormFields<Field>({ email: initialEmail, displayName: initialDisplayName, password: '', confirmPassword: '' });
  const { values } = form;
  const [linkExpired, setLinkExpired] = useState(false);

  const mutation = useMutation({
    mutationFn: completeSetup,
    onSuccess: () => enterSession('/'),
    onError: (error) => {
      if (isApiError(error, 410)) {
        setLinkExpired(true);
        return;
      }
      form.showServerErrors(error, FIELDS);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors: FieldErrors<Field> = {};
    if (!values.email.trim()) errors.email = 'Enter your email address';
    if (!values.displayName.trim()) errors.displayName = 'Enter a display name';
    if (!form.check({ ...errors, ...newPasswordErrors('password', values.password, values.confirmPassword) })) return;
    mutation.mutate({
      token,
      email: values.email.trim(),
      displayName: values.displayName.trim(),
      password: values.password,
    });
  };

  if (linkExpired) {
    return (
      <Alert color="red" variant="light" role="alert" title="This setup link is invalid or expired.">
        Ask an administrator for a new link.
      </Alert>
    );
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {form.formError ? (
          <Alert color="red" variant="light" role="alert" title="Setup could not be completed">
            {form.formError}
          </Alert>
        ) : null}
        <TextInput label="Email" type="email" name="email" autoComplete="username" required {...form.bind('email')} />
        <TextInput label="Display name" name="displayName" autoComplete="name" required {...form.bind('displayName')} />
        <NewPasswordFields name="password" password={form.bind('password')} confirmation={form.bind('confirmPassword')} />
        <Button type="submit" loading={mutation.isPending} fullWidth mt="xs">
          Create account
        </Button>
      </Stack>
    </form>
  );
}
