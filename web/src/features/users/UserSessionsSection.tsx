import { Alert, Text } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { Section } from '../../components/Section.js';
import { SessionsTable } from '../../components/SessionsTable.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useUserSessions } from './api.js';

export function UserSessionsSection({ userId }: { userId: string }) {
  const sessions = useUserSessions(userId, true);
  const items = sessions.data?.items ?? [];

  return (
    <Section title="Sessions" description="Browsers and devices signed in to this account.">
      {sessions.isPending ? (
        <InlineLoader label="Loading sessions…" />
      ) : sessions.isError ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(sessions.error)}
        </Alert>
      ) : items.length === 0 ? (
        <Text c="dimmed" fz="sm">
          Not signed in anywhere.
        </Text>
      ) : (
        <SessionsTable items={items} last={{ header: 'Expires', cell: (item) => <DateCell iso={item.expiresAt} /> }} />
      )}
    </Section>
  );
}
