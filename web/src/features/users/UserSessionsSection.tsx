import { Alert, Table, Text } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { summariseUserAgent } from '../../lib/format.js';
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
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Sessions table">
          <Table miw={680} aria-label="Sessions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Device</Table.Th>
                <Table.Th scope="col">IP address</Table.Th>
                <Table.Th scope="col">Signed in</Table.Th>
                <Table.Th scope="col">Last seen</Table.Th>
                <Table.Th scope="col">Expires</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) => (
                <Table.Tr key={item.id}>
                  <Table.Td>
                    <span title={item.userAgent ?? undefined}>{summariseUserAgent(item.userAgent)}</span>
                  </Table.Td>
                  <Table.Td>{item.ip ?? '—'}</Table.Td>
                  <Table.Td>
                    <DateCell iso={item.createdAt} />
                  </Table.Td>
                  <Table.Td>
                    <DateCell iso={item.lastSeenAt} />
                  </Table.Td>
                  <Table.Td>
                    <DateCell iso={item.expiresAt} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Section>
  );
}
