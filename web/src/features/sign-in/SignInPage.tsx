import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, Navigate, useSearchParams } from 'react-router';
import { AuthCard } from '../../components/AuthCard.js';
import { safeRedirectPath } from '../../lib/safe-redirect.js';
import { didSessionEnd, meQuery } from '../../lib/session.js';
import { useEnterSession } from '../../lib/use-enter-session.js';
import { signIn } from './api.js';
import { signInErrorMessage } from './messages.js';

export function SignInPage() {
  const [searchParams] = useSearchParams();
  const next = safeRedirectPath(searchParams.get('next'));
  const enterSession = useEnterSession();
  // Read the cached session only: this page makes no `GET /me` of its own (a signed-out 401 is expected).
  const me = useQuery({ ...meQuery, enabled: false });

  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});
  // Read once: why the user is here (their session ended while a page was open).
  const [sessionEnded] = useState(didSessionEnd);

  const mutation = useMutation({
    mutationFn: signIn,
    onSuccess: () => enterSession(next),
    onError: () => setPassword(''),
  });

  // Already signed in (e.g. the sign-in page was bookmarked): go on.
  if (me.data && !mutation.isPending && !mutation.isSuccess) return <Navigate to={next} replace />;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problems = {
      email: email.trim() ? undefined : 'Enter your email address',
      password: password ? undefined : 'Enter your password',
    };
    setMissing(problems);
    if (problems.email || problems.password) return;
    mutation.mutate({ email: email.trim(), password });
  };

  return (
    <AuthCard title="Sign in" description="Use the email address and password of your console account.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {sessionEnded && !mutation.isError ? (
            <Alert color="blue" variant="light" role="status">
              Your session has ended. Sign in again to continue.
            </Alert>
          ) : null}
          {mutation.isError ? (
            <Alert color="red" variant="light" role="alert" title="Could not sign in">
              {signInErrorMessage(mutation.error)}
            </Alert>
          ) : null}
          <TextInput
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
            error={missing.email}
            autoFocus
          />
          <PasswordInput
            label="Password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            error={missing.password}
          />
          <Group justify="flex-end" mt={-8}>
            <Anchor component={Link} to="/forgot-password" fz="sm">
              Forgot password?
            </Anchor>
          </Group>
          <Button type="submit" loading={mutation.isPending} fullWidth mt="xs">
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
