import { Alert, Button, Divider } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api.js';
import { SSO_FAILURES } from '../settings/sso/api.js';

/** Whether single sign-on is offered (public: the sign-in page asks before anyone is signed in). */
const ssoInfoQuery = {
  queryKey: ['auth', 'sso'] as const,
  queryFn: ({ signal }: { signal: AbortSignal }) => api.get<{ enabled: boolean; displayName: string | null }>('/auth/sso', { signal }),
  staleTime: 60_000,
};

/** "Sign in with <provider>" when configured: a plain navigation to the server, which redirects to the provider. */
export function SsoSignInButton({ next }: { next: string }) {
  const info = useQuery(ssoInfoQuery);
  if (!info.data?.enabled) return null;
  return (
    <>
      <Button component="a" href={`/auth/sso/start?returnTo=${encodeURIComponent(next)}`} variant="default" fullWidth>
        Sign in with {info.data.displayName}
      </Button>
      <Divider label="or with your password" labelPosition="center" />
    </>
  );
}

/** Why the last single sign-on attempt was refused (the server's redirect says `sso_error=<reason>`). */
export function SsoErrorAlert({ reason }: { reason: string | null }) {
  if (!reason) return null;
  return (
    <Alert color="red" variant="light" role="alert" title="Single sign-on did not complete">
      {SSO_FAILURES[reason] ?? 'The sign-in did not complete. Try again.'}
    </Alert>
  );
}
