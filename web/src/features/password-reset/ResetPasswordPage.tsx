import { useState } from 'react';
import { Button, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { AuthCard } from '../../components/AuthCard.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useFragmentToken } from '../../lib/fragment-token.js';
import { isInvalidLinkError } from '../../lib/link-errors.js';
import { getPasswordResetStatus } from './api.js';
import { InvalidResetLink } from './InvalidResetLink.js';
import { ResetPasswordForm } from './ResetPasswordForm.js';

const TITLE = 'Choose a new password';

/** `/reset-password#token=…`: the link from a password reset email. */
export function ResetPasswordPage() {
  const token = useFragmentToken();
  const [changed, setChanged] = useState(false);
  const status = useQuery({
    queryKey: ['password-reset-status', token],
    queryFn: ({ signal }) => getPasswordResetStatus(token ?? '', signal),
    enabled: token !== null && !changed,
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });

  if (changed) {
    return (
      <AuthCard title="Password changed">
        <Text role="status">Password changed, sign in with your new password.</Text>
        <Text c="dimmed" fz="sm" mt="xs">
          Every browser that was signed in to your account has been signed out.
        </Text>
        <Button component={Link} to="/sign-in" fullWidth mt="lg">
          Sign in
        </Button>
      </AuthCard>
    );
  }

  if (token === null || (status.isSuccess && !status.data.valid) || (status.isError && isInvalidLinkError(status.error))) {
    return (
      <AuthCard title={TITLE}>
        <InvalidResetLink />
      </AuthCard>
    );
  }

  if (status.isPending) {
    return (
      <AuthCard title={TITLE}>
        <InlineLoader label="Checking your reset link…" />
      </AuthCard>
    );
  }

  if (status.isError) {
    return (
      <AuthCard title={TITLE}>
        <Text role="alert">{errorMessage(status.error)}</Text>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={TITLE} description="After the change, every browser signed in to your account is signed out.">
      <ResetPasswordForm key={token} token={token} onChanged={() => setChanged(true)} />
    </AuthCard>
  );
}
