import type { FormEvent } from 'react';
import { Alert, Button, Group, Stack, PasswordInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { NewPasswordFields } from '../../components/NewPasswordFields.js';
import { Section } from '../../components/Section.js';
import { ApiError } from '../../lib/api.js';
import { splitServerErrors, type FieldErrors } from '../../lib/form-errors.js';
import { newPasswordErrors } from '../../lib/new-password.js';
import { useFormFields } from '../../lib/use-form-fields.js';
import { accountKeys, changePassword } from './api.js';

const FIELDS = ['currentPassword', 'newPassword', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];
const EMPTY: Record<Field, string> = { currentPassword: '', newPassword: '', confirmPassword: '' };

export function PasswordSection() {
  const queryClient = useQueryClient();
  const form = useFormFields<Field>(EMPTY);
  const { values } = form;

  const mutation = useMutation({
    mutationFn: changePassword,
    onSuccess: () => {
      form.setValues(EMPTY);
      notifications.show({ color: 'green', message: 'Password changed; your other sessions were signed out' });
      void queryClient.invalidateQueries({ queryKey: accountKeys.sessions });
      void queryClient.invalidateQueries({ queryKey: accountKeys.activity });
    },
    onError: (error) => {
      const split = splitServerErrors(error, FIELDS);
      // A wrong current password may come back as 401/403 invalid_credentials rather than a field error.
      if (error instanceof ApiError && error.code === 'invalid_credentials' && !split.fieldErrors.currentPassword) {
        form.setFieldErrors({ ...split.fieldErrors, currentPassword: 'The current password is incorrect' });
        form.setFormError(null);
        return;
      }
      form.setFieldErrors(split.fieldErrors);
      form.setFormError(split.formError);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors: FieldErrors<Field> = {};
    if (!values.currentPassword) errors.currentPassword = 'Enter your current password';
    if (!form.check({ ...errors, ...newPasswordErrors('newPassword', values.newPassword, values.confirmPassword) })) return;
    mutation.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  };

  return (
    <Section title="Change password" description="Changing your password signs out every other session.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md" maw={360}>
          {form.formError ? (
            <Alert color="red" variant="light" role="alert">
              {form.formError}
            </Alert>
          ) : null}
          <PasswordInput
            label="Current password"
            name="currentPassword"
            autoComplete="current-password"
            required
            {...form.bind('currentPassword')}
          />
          <NewPasswordFields name="newPassword" password={form.bind('newPassword')} confirmation={form.bind('confirmPassword')} />
          <Group>
            <Button type="submit" loading={mutation.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}
