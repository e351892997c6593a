import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { markSessionEnded, markSignedOutOnPurpose, meQuery, meQueryKey } from './session.js';

/**
 * After an answer that set a session cookie (sign-in, setup, accepted invitation): forget what was
 * cached for any previous user, load the new session, then go to `to`.
 */
export function useEnterSession() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return async (to: string) => {
    markSignedOutOnPurpose(false);
    markSessionEnded(false);
    // Nothing cached for a previous user may survive into this session.
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] });
    await queryClient.fetchQuery({ ...meQuery, staleTime: 0 });
    await navigate(to, { replace: true });
  };
}
