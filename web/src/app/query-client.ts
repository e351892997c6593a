import { QueryClient } from '@tanstack/react-query';
import { ApiError, setUnauthorizedHandler } from '../lib/api.js';
import { markSessionEnded, meQueryKey, type Me } from '../lib/session.js';

function shouldRetry(failureCount: number, error: unknown): boolean {
  // Only transient trouble is worth another try; a 4xx answer will not change.
  const transient = error instanceof ApiError && (error.status === 0 || error.status === 502 || error.status === 503 || error.status === 504);
  return transient && failureCount < 2;
}

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: shouldRetry, staleTime: 15_000 },
    mutations: { retry: false },
  },
});

// A 401 from any ordinary call (query or mutation) means the session is gone: the account was
// deactivated or removed, the session was ended elsewhere, or it expired. Drop it at once, so the auth
// gate sends the page to the sign-in screen without waiting for another round trip.
setUnauthorizedHandler(() => {
  const current = queryClient.getQueryData<Me | null>(meQueryKey);
  if (current) markSessionEnded(true);
  void queryClient.cancelQueries({ queryKey: meQueryKey });
  queryClient.setQueryData<Me | null>(meQueryKey, null);
});
