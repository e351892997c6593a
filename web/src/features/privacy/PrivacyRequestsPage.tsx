import { useState } from 'react';
import { Anchor, Button, Card, Group, NativeSelect, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { DateCell } from '../../components/DateCell.js';
import { LoadMore } from '../../components/LoadMore.js';
import { PageHeader } from '../../components/PageHeader.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { useUrlState } from '../../lib/use-url-state.js';
import { useQueue, type QueueFilters } from './api.js';
import { FileRequestModal } from './FileRequestModal.js';
import { KIND_LABELS, KINDS, SOURCE_LABELS, SOURCES, STATE_LABELS, STATES } from './labels.js';
import { DueCell, StateBadge } from './RequestBadges.js';
import { NO_FILTERS, readQueueFilters, writeQueueFilters } from './queue-params.js';

/** The privacy request queue: soonest due first; overdue and due-soon requests stand out. */
export function PrivacyRequestsPage() {
  const [filters, setFilters] = useUrlState(readQueueFilters, writeQueueFilters);
  const [filing, setFiling] = useState(false);
  const list = useQueue(filters);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (patch: Partial<QueueFilters>) => setFilters({ ...filters, ...patch });

  return (
    <>
      <PageHeader
        title="Privacy requests"
        description="Requests for a copy, a correction or the deletion of someone's data, soonest due first. Each is due one month after receipt."
        actions={<Button onClick={() => setFiling(true)}>File a request for someone</Button>}
      />
      <FileRequestModal opened={filing} onClose={() => setFiling(false)} />
      <Card>
        <Group gap="md" align="flex-end" wrap="wrap" mb="md">
          <NativeSelect
            label="State"
            value={filters.state}
            onChange={(e) => set({ state: e.currentTarget.value as QueueFilters['state'] })}
            data={[{ value: 'open', label: 'Open' }, { value: '', label: 'All states' }, ...STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))]}
          />
          <NativeSelect
            label="Kind"
            value={filters.kind}
            onChange={(e) => set({ kind: e.currentTarget.value as QueueFilters['kind'] })}
            data={[{ value: '', label: 'All kinds' }, ...KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))]}
          />
          <NativeSelect
            label="Source"
            value={filters.source}
            onChange={(e) => set({ source: e.currentTarget.value as QueueFilters['source'] })}
            data={[{ value: '', label: 'All sources' }, ...SOURCES.map((s) => ({ value: s, label: SOURCE_LABELS[s] }))]}
          />
          <NativeSelect
            label="Urgency"
            value={filters.urgency}
            onChange={(e) => set({ urgency: e.currentTarget.value as QueueFilters['urgency'] })}
            data={[{ value: '', label: 'Any' }, { value: 'overdue', label: 'Overdue' }, { value: 'due_soon', label: 'Due soon' }]}
          />
          {JSON.stringify(filters) !== JSON.stringify(NO_FILTERS) ? (
            <Button variant="subtle" onClick={() => setFilters(NO_FILTERS)}>
              Reset filters
            </Button>
          ) : null}
        </Group>
        {list.isPending ? (
          <InlineLoader label="Loading privacy requests…" />
        ) : list.isError && items.length === 0 ? (
          <RetryAlert title="The privacy requests could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
        ) : items.length === 0 ? (
          <Text c="dimmed" py="lg" ta="center" role="status">
            No privacy requests match these filters.
          </Text>
        ) : (
          <>
            <ScrollTable label="Privacy requests" minWidth={900} busy={list.isPlaceholderData && list.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Requester</Table.Th>
                  <Table.Th scope="col">Kind</Table.Th>
                  <Table.Th scope="col">Source</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                  <Table.Th scope="col">Received</Table.Th>
                  <Table.Th scope="col">Due</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((r) => (
                  <Table.Tr key={r.id} data-request-id={r.id} bg={r.urgency === 'overdue' ? 'var(--mantine-color-red-light)' : r.urgency === 'due_soon' ? 'var(--mantine-color-orange-light)' : undefined}>
                    <Table.Td>
                      <Anchor component={Link} to={`/privacy-requests/${r.id}`} fz="sm">
                        {r.requester ?? 'Unknown requester'}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{KIND_LABELS[r.kind]}</Table.Td>
                    <Table.Td>{SOURCE_LABELS[r.source]}</Table.Td>
                    <Table.Td>
                      <StateBadge state={r.state} />
                    </Table.Td>
                    <Table.Td>
                      <DateCell iso={r.receivedAt} />
                    </Table.Td>
                    <Table.Td>
                      <DueCell request={r} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </ScrollTable>
            <LoadMore query={list} />
          </>
        )}
      </Card>
    </>
  );
}
