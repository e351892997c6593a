import { useEffect, useState } from 'react';
import { Anchor, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { AuthCard } from '../../components/AuthCard.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage, isApiError } from '../../lib/api.js';
import { getSetupStatus } from './api.js';
import { SetupForm } from './SetupForm.js';
import { readTokenFromFragment, removeFragmentFromAddressBar } from './token.js';

function InvalidLink() {
  return (
    <AuthCard title="Set up your account">
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
    </AuthCard>
  );
}

export function SetupPage() {
  // Read once, then keep in memory only. A new link opened in this same tab changes only the fragment.
  const [token, setToken] = useState(() => readTokenFromFragment(window.location.hash));
  useEffect(() => {
    removeFragmentFromAddressBar();
    const onHashChange = () => {
      const next = readTokenFromFragment(window.location.hash);
      if (next) setToken(next);
      removeFragmentFromAddressBar();
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  const status = useQuery({
    queryKey: ['setup-status', token],
    queryFn: ({ signal }) => getSetupStatus(token ?? '', signal),
    enabled: token !== null,
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });

  if (token === null) return <InvalidLink />;

  if (status.isPending) {
    return (
      <AuthCard title="Set up your account">
        <InlineLoader label="Checking your setup link…" />
      </AuthCard>
    );
  }

  if (status.isError) {
    if (isApiError(status.error) && [400, 404, 410].includes(status.error.status)) return <InvalidLink />;
    return (
      <AuthCard title="Set up your account">
        <Text role="alert">{errorMessage(status.error)}</Text>
      </AuthCard>
    );
  }

  if (!status.data.valid) return <InvalidLink />;

  return (
    <AuthCard
      title="Set up your account"
      description="Choose the name others will see and a password for signing in."
    >
      <SetupForm key={token} token={token} initialEmail={status.data.email ?? ''} initialDisplayName={status.data.displayName ?? ''} />
    </AuthCard>
  );
}
