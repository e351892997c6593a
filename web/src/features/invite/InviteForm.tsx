import { useState, type FormEvent } from 'react';
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { MIN_PASSWORD_LENGTH, splitServerErrors, type FieldErrors } from '../../lib/form-errors.js';
import { isInvalidLinkError } from '../../lib/link-errors.js';
import { markSessionEnded, markSignedOutOnPurpose, meQuery, meQueryKey } from '../../lib/session.js';
import { acceptInvitation } from './api.js';
import { InvalidInvitation } from './InvalidInvitation.js';

const FIELDS = ['displayName', 'password', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

export function InviteForm({ token, email, initialDisplayName }: { token: string; email: string; initialDisplayName: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<Field, string>>({ displayName: initialDisplayName, password: '', confirmPassword: '' });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [linkInvalid, setLinkInvalid] = useState(false);

  const mutation = useMutation({
    mutationFn: acceptInvitation,
    onSuccess: async () => {
      // The answer carries a session cookie: this browser is now signed in as the new user.
      markSignedOutOnPurpose(false);
      markSessionEnded(false);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] });
      await queryClient.fetchQuery({ ...meQuery, staleTime: 0 });
      await navigate('/', { replace: true });
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
    if (!values.displayName.trim()) errors.displayName = 'Enter a display name';
    if (values.password.length < MIN_PASSWORD_LENGTH) errors.password = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
    if (values.confirmPassword !== values.password) errors.confirmPassword = 'The passwords do not match';
    setFieldErrors(errors);
    setFormError(null);
    if (Object.keys(errors).length > 0) return;
    mutation.mutate({ token, displayName: values.displayName.trim(), password: values.password });
  };

  if (linkInvalid) return <InvalidInvitation />;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {formError ? (
          <Alert color="red" variant="light" role="alert" title="The invitation could not be accepted">
            {formError}
          </Alert>
        ) : null}
        <TextInput label="Email" type="email" name="email" autoComplete="username" value={email} readOnly variant="filled" />
        <TextInput
          label="Display name"
          name="displayName"
          autoComplete="name"
          required
          value={values.displayName}
          onChange={set('displayName')}
          error={fieldErrors.displayName}
        />
        <PasswordInput
          label="Password"
          name="password"
          autoComplete="new-password"
          required
          description={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          value={values.password}
          onChange={set('password')}
          error={fieldErrors.password}
        />
        <PasswordInput
          label="Confirm password"
          name="confirmPassword"
          autoComplete="new-password"
          required
          value={values.confirmPassword}
          onChange={set('confirmPassword')}
          error={fieldErrors.confirmPassword}
        />
        <Button type="submit" loading={mutation.isPending} fullWidth mt="xs">
          Accept invitation
        </Button>
      </Stack>
    </form>
  );
}
