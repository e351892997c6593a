import { Alert, Badge, Button, Center, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { humanise, summariseUserAgent } from '../../lib/format.js';
import { accountKeys, listLoginActivity } from './api.js';
import { DateCell } from '../../components/DateCell.js';
import { Section } from '../../components/Section.js';

export function ActivitySection() {
  const activity = useInfiniteQuery({
    queryKey: accountKeys.activity,
    queryFn: ({ pageParam, signal }) => listLoginActivity(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });

  const items = activity.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Section title="Sign-in activity" description="Every attempt to sign in to your account, newest first.">
      {activity.isPending ? (
        <InlineLoader label="Loading sign-in activity…" />
      ) : activity.isError && items.length === 0 ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(activity.error)}
        </Alert>
      ) : items.length === 0 ? (
        <Text c="dimmed" fz="sm">
          No sign-in attempts recorded yet.
        </Text>
      ) : (
        <>
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Sign-in activity table">
            <Table miw={680} aria-label="Sign-in activity">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Time</Table.Th>
                  <Table.Th scope="col">Result</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                  <Table.Th scope="col">IP address</Table.Th>
                  <Table.Th scope="col">Device</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item) => (
                  <Table.Tr key={item.id}>
                    <Table.Td>
                      <DateCell iso={item.at} />
                    </Table.Td>
                    <Table.Td>
                      {item.result === 'success' ? <Badge color="green">Success</Badge> : <Badge color="red">Failure</Badge>}
                    </Table.Td>
                    <Table.Td>{item.reason ? humanise(item.reason) : '—'}</Table.Td>
                    <Table.Td>{item.ip ?? '—'}</Table.Td>
                    <Table.Td>
                      <span title={item.userAgent ?? undefined}>{summariseUserAgent(item.userAgent)}</span>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          {activity.isFetchNextPageError ? (
            <Alert color="red" variant="light" role="alert" mt="md">
              {errorMessage(activity.error)}
            </Alert>
          ) : null}
          {activity.hasNextPage ? (
            <Center mt="md">
              <Button variant="default" onClick={() => void activity.fetchNextPage()} loading={activity.isFetchingNextPage}>
                Load more
              </Button>
            </Center>
          ) : null}
        </>
      )}
    </Section>
  );
}
