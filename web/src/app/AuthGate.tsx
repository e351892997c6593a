import { useMemo, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useLocation } from 'react-router';
import { MessageScreen, LoadingScreen } from '../components/StatusScreen.js';
import { errorMessage } from '../lib/api.js';
import { markSessionEnded, meQuery, SessionContext, wasSignedOutOnPurpose, type Session } from '../lib/session.js';
import { AppLayout } from './AppLayout.js';

/** How often an open page re-checks its session, so an idle page notices it has ended. */
const SESSION_POLL_MS = 60_000;

/**
 * Everything behind sign-in. `GET /me` decides: a user shows the console, 401 sends to sign-in.
 * `/me` is asked again whenever the window regains focus and every minute while the page is visible,
 * so a deactivated user, a changed role or a session ended elsewhere shows up without a reload.
 */
export function AuthGate() {
  const location = useLocation();
  const { data, isPending, error, refetch } = useQuery({
    ...meQuery,
    refetchOnWindowFocus: 'always',
    refetchInterval: SESSION_POLL_MS,
  });
  const hadSession = useRef(false);

  const session = useMemo<Session | null>(
    () => (data ? { ...data, can: (ability: string) => data.abilities.includes(ability) } : null),
    [data],
  );

  if (isPending) return <LoadingScreen label="Checking your session…" />;

  if (session) hadSession.current = true;

  if (!session) {
    if (error) {
      return (
        <MessageScreen title="The console cannot reach the server" onRetry={() => void refetch()}>
          {errorMessage(error)}
        </MessageScreen>
      );
    }
    if (hadSession.current && !wasSignedOutOnPurpose()) markSessionEnded(true);
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
