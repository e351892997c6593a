import type { ReactNode } from 'react';
import { Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../lib/api.js';
import { isInvalidLinkError } from '../lib/link-errors.js';
import { AuthCard } from './AuthCard.js';
import { InlineLoader } from './StatusScreen.js';

/**
 * A page opened from an emailed link (`#token=…`, see `useFragmentToken`): asks the server whether
 * the token is still good, says so while it checks, shows `invalid` when it is not, and otherwise
 * renders `children` with the token and the server's answer.
 */
export function TokenLinkGate<T extends { valid: boolean }>({
  token,
  title,
  description,
  statusKey,
  getStatus,
  checkingLabel,
  invalid,
  isInvalidError = isInvalidLinkError,
  children,
}: {
  token: string | null;
  title: string;
  /** Shown above the form once the link is known to be good. */
  description: ReactNode;
  /** First element of the status query's key. */
  statusKey: string;
  getStatus: (token: string, signal: AbortSignal) => Promise<T>;
  checkingLabel: string;
  /** The explanation shown (inside the card) when the link cannot be used. */
  invalid: ReactNode;
  /** Which failed status checks mean the link cannot be used (rather than a passing error). */
  isInvalidError?: (error: unknown) => boolean;
  children: (token: string, status: T) => ReactNode;
}) {
  const status = useQuery({
    queryKey: [statusKey, token],
    queryFn: ({ signal }) => getStatus(token ?? '', signal),
    enabled: token !== null,
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });

  if (token === null || (status.isSuccess && !status.data.valid) || (status.isError && isInvalidError(status.error))) {
    return <AuthCard title={title}>{invalid}</AuthCard>;
  }

  if (status.isPending) {
    return (
      <AuthCard title={title}>
        <InlineLoader label={checkingLabel} />
      </AuthCard>
    );
  }

  if (status.isError) {
    return (
      <AuthCard title={title}>
        <Text role="alert">{errorMessage(status.error)}</Text>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={title} description={description}>
      {children(token, status.data)}
    </AuthCard>
  );
}
