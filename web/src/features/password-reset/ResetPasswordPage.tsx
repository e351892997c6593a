import { useState } from 'react';
import { Button, Text } from '@mantine/core';
import { Link } from 'react-router';
import { AuthCard } from '../../components/AuthCard.js';
import { TokenLinkGate } from '../../components/TokenLinkGate.js';
import { useFragmentToken } from '../../lib/fragment-token.js';
import { getPasswordResetStatus } from './api.js';
import { InvalidResetLink } from './InvalidResetLink.js';
import { ResetPasswordForm } from './ResetPasswordForm.js';

/** `/reset-password#token=…`: the link from a password reset email. */
export function ResetPasswordPage() {
  const token = useFragmentToken();
  const [changed, setChanged] = useState(false);

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

  return (
    <TokenLinkGate
      token={token}
      title="Choose a new password"
      description="After the change, every browser signed in to your account is signed out."
      statusKey="password-reset-status"
      getStatus={getPasswordResetStatus}
      checkingLabel="Checking your reset link…"
      invalid={<InvalidResetLink />}
    >
      {(token) => <ResetPasswordForm key={token} token={token} onChanged={() => setChanged(true)} />}
    </TokenLinkGate>
  );
}
