import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { AuthCard } from '../../components/AuthCard.js';
import { ApiError } from '../../lib/api.js';
import { splitServerErrors } from '../../lib/form-errors.js';
import { retryPhrase } from '../../lib/format.js';
import { requestPasswordReset } from './api.js';

function BackToSignIn() {
  return (
    <Text fz="sm" ta="center" mt="md">
      <Anchor component={Link} to="/sign-in">
        Back to sign in
      </Anchor>
    </Text>
  );
}

/** `/forgot-password`: asks for a reset link. The answer never tells whether the email has an account. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: requestPasswordReset,
    onError: (error) => {
      const split = splitServerErrors(error, ['email'] as const);
      setEmailError(split.fieldErrors.email ?? null);
      setFormError(
        error instanceof ApiError && error.status === 429
          ? `Too many requests. Please try again ${retryPhrase(error.retryAfterSeconds)}.`
          : split.formError,
      );
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = email.trim();
    setFormError(null);
    if (!trimmed) {
      setEmailError('Enter your email address');
      return;
    }
    setEmailError(null);
    mutation.mutate({ email: trimmed });
  };

  if (mutation.isSuccess) {
    return (
      <AuthCard title="Check your email">
        <Text role="status">
          If an account exists for that email, we sent a link to choose a new password. The link works for one hour.
        </Text>
        <Text c="dimmed" fz="sm" mt="xs">
          No email? Check the spam folder, or ask an administrator to send you a password reset.
        </Text>
        <BackToSignIn />
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Reset your password" description="Enter the email address of your account and we will send you a link to choose a new password.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {formError ? (
            <Alert color="red" variant="light" role="alert" title="The link could not be requested">
              {formError}
            </Alert>
          ) : null}
          <TextInput
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(event) => {
              setEmail(event.currentTarget.value);
              setEmailError(null);
            }}
            error={emailError}
          />
          <Button type="submit" loading={mutation.isPending} fullWidth mt="xs">
            Send reset link
          </Button>
        </Stack>
      </form>
      <BackToSignIn />
    </AuthCard>
  );
}
