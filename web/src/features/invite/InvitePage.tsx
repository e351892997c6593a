import { Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AuthCard } from '../../components/AuthCard.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useFragmentToken } from '../../lib/fragment-token.js';
import { isInvalidLinkError } from '../../lib/link-errors.js';
import { getInvitationStatus } from './api.js';
import { InvalidInvitation } from './InvalidInvitation.js';
import { InviteForm } from './InviteForm.js';

const TITLE = 'Accept your invitation';

/** `/invite#token=…`: the link from an invitation email. */
export function InvitePage() {
  const token = useFragmentToken();
  const status = useQuery({
    queryKey: ['invitation-status', token],
    queryFn: ({ signal }) => getInvitationStatus(token ?? '', signal),
    enabled: token !== null,
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });

  if (token === null || (status.isSuccess && !status.data.valid) || (status.isError && isInvalidLinkError(status.error))) {
    return (
      <AuthCard title={TITLE}>
        <InvalidInvitation />
      </AuthCard>
    );
  }

  if (status.isPending) {
    return (
      <AuthCard title={TITLE}>
        <InlineLoader label="Checking your invitation…" />
      </AuthCard>
    );
  }

  if (status.isError) {
    return (
      <AuthCard title={TITLE}>
        <Text role="alert">{errorMessage(status.error)}</Text>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={TITLE} description="Choose the name others will see and a password for signing in.">
      <InviteForm key={token} token={token} email={status.data.email ?? ''} initialDisplayName={status.data.displayName ?? ''} />
    </AuthCard>
  );
}
