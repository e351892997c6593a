import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { TokenLinkGate } from '../../components/TokenLinkGate.js';
import { isApiError } from '../../lib/api.js';
import { useFragmentToken } from '../../lib/fragment-token.js';
import { getSetupStatus } from './api.js';
import { SetupForm } from './SetupForm.js';

function InvalidLink() {
  return (
    <>
      <Text role="alert" fw={600}>
        This setup link is invalid or expired.
      </Text>
      <Text c="dimmed" fz="sm" mt="xs">
        Ask an administrator for a new link. If your account is already set up,{' '}
        <Anchor component={Link} to="/sign-in">
          sign in
        </Anchor>
        .
      </Text>
    </>
  );
}

/** Any 400, 404 or 410 to the status check means this setup link cannot be used. */
const isInvalidSetupLinkError = (error: unknown) => isApiError(error) && [400, 404, 410].includes(error.status);

/** `/setup#token=…`: the link for setting up an account. */
export function SetupPage() {
  const token = useFragmentToken();
  return (
    <TokenLinkGate
      token={token}
      title="Set up your account"
      description="Choose the name others will see and a password for signing in."
      statusKey="setup-status"
      getStatus={getSetupStatus}
      checkingLabel="Checking your setup link…"
      invalid={<InvalidLink />}
      isInvalidError={isInvalidSetupLinkError}
    >
      {(token, status) => (
        <SetupForm key={token} token={token} initialEmail={status.email ?? ''} initialDisplayName={status.displayName ?? ''} />
      )}
    </TokenLinkGate>
  );
}
