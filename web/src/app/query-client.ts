import { QueryClient } from '@tanstack/react-query';
import { ApiError, setUnauthorizedHandler } from '../lib/api.js';
import { meQueryKey } from '../lib/session.js';

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

// A 401 from any ordinary call: re-check the session. When `GET /me` answers 401 too, the auth gate
// shows the sign-in page.
setUnauthorizedHandler(() => {
  void queryClient.invalidateQueries({ queryKey: meQueryKey });
});
