import { useState, type FormEvent } from 'react';
import { Alert, Button, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { NewPasswordFields } from '../../components/NewPasswordFields.js';
import type { FieldErrors } from '../../lib/form-errors.js';
import { isInvalidLinkError } from '../../lib/link-errors.js';
import { newPasswordErrors } from '../../lib/new-password.js';
import { useEnterSession } from '../../lib/use-enter-session.js';
import { useFormFields } from '../../lib/use-form-fields.js';
import { acceptInvitation } from './api.js';
import { InvalidInvitation } from './InvalidInvitation.js';

const FIELDS = ['displayName', 'password', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

export function InviteForm({ token, email, initialDisplayName }: { token: string; email: string; initialDisplayName: string }) {
  const enterSession = useEnterSession();
  const form = useFormFields<Field>({ displayName: initialDisplayName, password: '', confirmPassword: '' });
  const { values } = form;
  const [linkInvalid, setLinkInvalid] = useState(false);

  const mutation = useMutation({
    mutationFn: acceptInvitation,
    // The answer carries a session cookie: this browser is now signed in as the new user.
    onSuccess: () => enterSession('/'),
    onError: (error) => {
      if (isInvalidLinkError(error)) {
        setLinkInvalid(true);
        return;
      }
      form.showServerErrors(error, FIELDS);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors: FieldErrors<Field> = {};
    if (!values.displayName.trim()) errors.displayName = 'Enter a display name';
    if (!form.check({ ...errors, ...newPasswordErrors('password', values.password, values.confirmPassword) })) return;
    mutation.mutate({ token, displayName: values.displayName.trim(), password: values.password });
  };

  if (linkInvalid) return <InvalidInvitation />;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {form.formError ? (
          <Alert color="red" variant="light" role="alert" title="The invitation could not be accepted">
            {form.formError}
          </Alert>
        ) : null}
        <TextInput label="Email" type="email" name="email" autoComplete="username" value={email} readOnly variant="filled" />
        <TextInput label="Display name" name="displayName" autoComplete="name" required {...form.bind('displayName')} />
        <NewPasswordFields name="password" password={form.bind('password')} confirmation={form.bind('confirmPassword')} />
        <Button type="submit" loading={mutation.isPending} fullWidth mt="xs">
          Accept invitation
        </Button>
      </Stack>
    </form>
  );
}
