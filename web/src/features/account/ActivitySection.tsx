import { useInfiniteQuery } from '@tanstack/react-query';
import { LoginActivitySection } from '../../components/LoginActivitySection.js';
import { humanise } from '../../lib/format.js';
import { accountKeys, listLoginActivity } from './api.js';

export function ActivitySection() {
  const activity = useInfiniteQuery({
    queryKey: accountKeys.activity,
    queryFn: ({ pageParam, signal }) => listLoginActivity(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });

  return (
    <LoginActivitySection
      description="Every attempt to sign in to your account, newest first."
      emptyText="No sign-in attempts recorded yet."
      activity={activity}
      reasonLabel={humanise}
    />
  );
}
