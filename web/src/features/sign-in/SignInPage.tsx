import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, Navigate, useSearchParams } from 'react-router';
import { AuthCard } from '../../components/AuthCard.js';
import { safeRedirectPath } from '../../lib/safe-redirect.js';
import { didSessionEnd, meQuery } from '../../lib/session.js';
import { useEnterSession } from '../../lib/use-enter-session.js';
import { EnrolmentFlow } from '../account/two-factor/EnrolmentFlow.js';
import { signIn } from './api.js';
import { SecondFactorStep } from './SecondFactorStep.js';
import { SsoErrorAlert, SsoSignInButton } from './SsoSignIn.js';
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

  // After the password: a code is owed (2FA on), or 2FA must be set up first (required, grace over).
  // (after single sign-on, the server's redirect says which: `?sso=second_factor|enrol`)
  const [stage, setStage] = useState<'second_factor' | 'enrol' | null>(() => {
    const sso = searchParams.get('sso');
    return sso === 'second_factor' || sso === 'enrol' ? sso : null;
  });
  const ssoError = searchParams.get('sso_error');
  const mutation = useMutation({
    mutationFn: signIn,
    onSuccess: (result) => {
      setPassword('');
      if (result.stage) setStage(result.stage);
      else void enterSession(next);
    },
    onError: () => setPassword(''),
  });
  const restart = () => {
    setStage(null);
    mutation.reset();
  };

  if (stage === 'second_factor') {
    return (
      <AuthCard title="Two-factor authentication" description="Your password was accepted. One more step.">
        <SecondFactorStep onDone={() => void enterSession(next)} onRestart={restart} />
      </AuthCard>
    );
  }
  if (stage === 'enrol') {
    return (
      <AuthCard
        title="Set up two-factor authentication"
        description="Your organisation requires two-factor authentication for your role, and the time to set it up has passed. Set it up now to continue."
      >
        <EnrolmentFlow doneLabel="Continue" onDone={() => void enterSession(next)} onCancel={restart} />
      </AuthCard>
    );
  }

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
          {!mutation.isError ? <SsoErrorAlert reason={ssoError} /> : null}
          <SsoSignInButton next={next} />
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
