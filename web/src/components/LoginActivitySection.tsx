import { Alert, Text } from '@mantine/core';
import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import { errorMessage } from '../lib/api.js';
import { LoadMore } from './LoadMore.js';
import { LoginActivityTable, type LoginActivityRow } from './LoginActivityTable.js';
import { Section } from './Section.js';
import { InlineLoader } from './StatusScreen.js';

/** One account's sign-in attempts, newest first, a page at a time. */
export function LoginActivitySection<T extends LoginActivityRow>({
  description,
  emptyText,
  activity,
  reasonLabel,
}: {
  description: string;
  emptyText: string;
  activity: UseInfiniteQueryResult<InfiniteData<{ items: T[] }>>;
  reasonLabel: (reason: string) => string;
}) {
  const items = activity.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Section title="Sign-in activity" description={description}>
      {activity.isPending ? (
        <InlineLoader label="Loading sign-in activity…" />
      ) : activity.isError && items.length === 0 ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(activity.error)}
        </Alert>
      ) : items.length === 0 ? (
        <Text c="dimmed" fz="sm">
          {emptyText}
        </Text>
      ) : (
        <>
          <LoginActivityTable items={items} reasonLabel={reasonLabel} />
          <LoadMore query={activity} />
        </>
      )}
    </Section>
  );
}
