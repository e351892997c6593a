import { TokenLinkGate } from '../../components/TokenLinkGate.js';
import { useFragmentToken } from '../../lib/fragment-token.js';
import { getInvitationStatus } from './api.js';
import { InvalidInvitation } from './InvalidInvitation.js';
import { InviteForm } from './InviteForm.js';

/** `/invite#token=…`: the link from an invitation email. */
export function InvitePage() {
  const token = useFragmentToken();
  return (
    <TokenLinkGate
      token={token}
      title="Accept your invitation"
      description="Choose the name others will see and a password for signing in."
      statusKey="invitation-status"
      getStatus={getInvitationStatus}
      checkingLabel="Checking your invitation…"
      invalid={<InvalidInvitation />}
    >
      {(token, status) => (
        <InviteForm key={token} token={token} email={status.email ?? ''} initialDisplayName={status.displayName ?? ''} />
      )}
    </TokenLinkGate>
  );
}
