import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Stack, PasswordInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../lib/api.js';
import { MIN_PASSWORD_LENGTH, splitServerErrors, type FieldErrors } from '../../lib/form-errors.js';
import { accountKeys, changePassword } from './api.js';
import { Section } from '../../components/Section.js';

const FIELDS = ['currentPassword', 'newPassword', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];
const EMPTY: Record<Field, string> = { currentPassword: '', newPassword: '', confirmPassword: '' };

export function PasswordSection() {
  const queryClient = useQueryClient();
  const [values, setValues] = useState(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: changePassword,
    onSuccess: () => {
      setValues(EMPTY);
      notifications.show({ color: 'green', message: 'Password changed; your other sessions were signed out' });
      void queryClient.invalidateQueries({ queryKey: accountKeys.sessions });
      void queryClient.invalidateQueries({ queryKey: accountKeys.activity });
    },
    onError: (error) => {
      const split = splitServerErrors(error, FIELDS);
      // A wrong current password may come back as 401/403 invalid_credentials rather than a field error.
      if (error instanceof ApiError && error.code === 'invalid_credentials' && !split.fieldErrors.currentPassword) {
        setFieldErrors({ ...split.fieldErrors, currentPassword: 'The current password is incorrect' });
        setFormError(null);
        return;
      }
      setFieldErrors(split.fieldErrors);
      setFormError(split.formError);
    },
  });

  const set = (field: Field) => (event: React.ChangeEvent<HTMLInputElement>) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [field]: value }));
    if (fieldErrors[field]) setFieldErrors((current) => ({ ...current, [field]: undefined }));
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors: FieldErrors<Field> = {};
    if (!values.currentPassword) errors.currentPassword = 'Enter your current password';
    if (values.newPassword.length < MIN_PASSWORD_LENGTH) errors.newPassword = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
    if (values.confirmPassword !== values.newPassword) errors.confirmPassword = 'The passwords do not match';
    setFieldErrors(errors);
    setFormError(null);
    if (Object.keys(errors).length > 0) return;
    mutation.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  };

  return (
    <Section title="Change password" description="Changing your password signs out every other session.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md" maw={360}>
          {formError ? (
            <Alert color="red" variant="light" role="alert">
              {formError}
            </Alert>
          ) : null}
          <PasswordInput
            label="Current password"
            name="currentPassword"
            autoComplete="current-password"
            required
            value={values.currentPassword}
            onChange={set('currentPassword')}
            error={fieldErrors.currentPassword}
          />
          <PasswordInput
            label="New password"
            name="newPassword"
            autoComplete="new-password"
            required
            description={`At least ${MIN_PASSWORD_LENGTH} characters.`}
            value={values.newPassword}
            onChange={set('newPassword')}
            error={fieldErrors.newPassword}
          />
          <PasswordInput
            label="Confirm new password"
            name="confirmPassword"
            autoComplete="new-password"
            required
            value={values.confirmPassword}
            onChange={set('confirmPassword')}
            error={fieldErrors.confirmPassword}
          />
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
