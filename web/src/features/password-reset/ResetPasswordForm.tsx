import { useState, type FormEvent } from 'react';
import { Alert, Button, Stack } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { NewPasswordFields } from '../../components/NewPasswordFields.js';
import { isInvalidLinkError } from '../../lib/link-errors.js';
import { newPasswordErrors } from '../../lib/new-password.js';
import { useFormFields } from '../../lib/use-form-fields.js';
import { completePasswordReset } from './api.js';
import { InvalidResetLink } from './InvalidResetLink.js';

const FIELDS = ['newPassword', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

export function ResetPasswordForm({ token, onChanged }: { token: string; onChanged: () => void }) {
  const queryClient = useQueryClient();
  const form = useFormFields<Field>({ newPassword: '', confirmPassword: '' });
  const { values } = form;
  const [linkInvalid, setLinkInvalid] = useState(false);

  const mutation = useMutation({
    mutationFn: completePasswordReset,
    onSuccess: () => {
      // Every session of that account has ended, perhaps also one cached in this tab.
      queryClient.removeQueries();
      onChanged();
    },
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
    if (!form.check(newPasswordErrors('newPassword', values.newPassword, values.confirmPassword))) return;
    mutation.mutate({ token, newPassword: values.newPassword });
  };

  if (linkInvalid) return <InvalidResetLink />;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {form.formError ? (
          <Alert color="red" variant="light" role="alert" title="The password was not changed">
            {form.formError}
          </Alert>
        ) : null}
        <NewPasswordFields
          name="newPassword"
          autoFocus
          password={form.bind('newPassword')}
          confirmation={form.bind('confirmPassword')}
        />
        <Button type="submit" loading={mutation.isPending} fullWidth mt="xs">
          Change password
        </Button>
      </Stack>
    </form>
  );
}
