import { useState, type FormEvent } from 'react';
import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { MIN_PASSWORD_LENGTH, splitServerErrors, type FieldErrors } from '../../lib/form-errors.js';
import { isInvalidLinkError } from '../../lib/link-errors.js';
import { completePasswordReset } from './api.js';
import { InvalidResetLink } from './InvalidResetLink.js';

const FIELDS = ['newPassword', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

export function ResetPasswordForm({ token, onChanged }: { token: string; onChanged: () => void }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<Field, string>>({ newPassword: '', confirmPassword: '' });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<string | null>(null);
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
      const split = splitServerErrors(error, FIELDS);
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
    if (values.newPassword.length < MIN_PASSWORD_LENGTH) errors.newPassword = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
    if (values.confirmPassword !== values.newPassword) errors.confirmPassword = 'The passwords do not match';
    setFieldErrors(errors);
    setFormError(null);
    if (Object.keys(errors).length > 0) return;
    mutation.mutate({ token, newPassword: values.newPassword });
  };

  if (linkInvalid) return <InvalidResetLink />;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {formError ? (
          <Alert color="red" variant="light" role="alert" title="The password was not changed">
            {formError}
          </Alert>
        ) : null}
        <PasswordInput
          label="New password"
          name="newPassword"
          autoComplete="new-password"
          required
          autoFocus
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
        <Button type="submit" loading={mutation.isPending} fullWidth mt="xs">
          Change password
        </Button>
      </Stack>
    </form>
  );
}
