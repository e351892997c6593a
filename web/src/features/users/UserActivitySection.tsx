import { Alert, Text } from '@mantine/core';
import { LoadMore } from '../../components/LoadMore.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useLoginActivity, type ActivityFilters } from './api.js';
import { LoginActivityTable } from './LoginActivityTable.js';

export function UserActivitySection({ userId }: { userId: string }) {
  const filters: ActivityFilters = { userId, result: '', reason: '', from: '', to: '' };
  const activity = useLoginActivity(filters);
  const items = activity.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Section title="Sign-in activity" description="Every attempt to sign in to this account, newest first.">
      {activity.isPending ? (
        <InlineLoader label="Loading sign-in activity…" />
      ) : activity.isError && items.length === 0 ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(activity.error)}
        </Alert>
      ) : items.length === 0 ? (
        <Text c="dimmed" fz="sm">
          No sign-in attempts recorded.
        </Text>
      ) : (
        <>
          <LoginActivityTable items={items} showUser={false} />
          <LoadMore query={activity} />
        </>
      )}
    </Section>
  );
}
