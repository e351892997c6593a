import { LoginActivitySection } from '../../components/LoginActivitySection.js';
import { useLoginActivity, type ActivityFilters } from './api.js';
import { reasonLabel } from './labels.js';

export function UserActivitySection({ userId }: { userId: string }) {
  const filters: ActivityFilters = { userId, result: '', reason: '', from: '', to: '' };
  const activity = useLoginActivity(filters);

  return (
    <LoginActivitySection
      description="Every attempt to sign in to this account, newest first."
      emptyText="No sign-in attempts recorded."
      activity={activity}
      reasonLabel={reasonLabel}
    />
  );
}
