import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useLocation } from 'react-router';
import { MessageScreen, LoadingScreen } from '../components/StatusScreen.js';
import { errorMessage } from '../lib/api.js';
import { meQuery, SessionContext, wasSignedOutOnPurpose, type Session } from '../lib/session.js';
import { AppLayout } from './AppLayout.js';

/** Everything behind sign-in. `GET /me` decides: a user shows the console, 401 sends to sign-in. */
export function AuthGate() {
  const location = useLocation();
  const { data, isPending, error, refetch } = useQuery(meQuery);

  const session = useMemo<Session | null>(
    () => (data ? { ...data, can: (ability: string) => data.abilities.includes(ability) } : null),
    [data],
  );

  if (isPending) return <LoadingScreen label="Checking your session…" />;

  if (!session) {
    if (error) {
      return (
        <MessageScreen title="The console cannot reach the server" onRetry={() => void refetch()}>
          {errorMessage(error)}
        </MessageScreen>
      );
    }
    const here = `${location.pathname}${location.search}${location.hash}`;
    const target = here === '/' || wasSignedOutOnPurpose() ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`;
    return <Navigate to={target} replace />;
  }

  return (
    <SessionContext.Provider value={session}>
      <AppLayout />
    </SessionContext.Provider>
  );
}
