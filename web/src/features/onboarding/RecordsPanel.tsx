import { Text } from '@mantine/core';
import { LoadMore } from '../../components/LoadMore.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { useRecordsList, type RecordsFilters } from './api.js';
import { hasRecordFilters } from './list-params.js';
import { RecordsFilterBar } from './RecordsFilterBar.js';
import { RecordsTable } from './RecordsTable.js';

/** The records list: search, state and "started by" filters, table and "Load more". */
export function RecordsPanel({ filters, onChange }: { filters: RecordsFilters; onChange: (next: RecordsFilters) => void }) {
  const list = useRecordsList({ state: filters.state, via: filters.via, q: filters.q });
  const records = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <RecordsFilterBar filters={filters} onChange={onChange} />
      {list.isPending ? (
        <InlineLoader label="Loading WhatsApp accounts…" />
      ) : list.isError && records.length === 0 ? (
        <RetryAlert title="The WhatsApp accounts could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : records.length === 0 ? (
        <Text c="dimmed" py="lg" ta="center" role="status">
          {hasRecordFilters(filters) ? 'No WhatsApp accounts match this search and filter.' : 'No WhatsApp accounts connected yet.'}
        </Text>
      ) : (
        <>
          <RecordsTable records={records} busy={list.isPlaceholderData && list.isFetching} />
          <LoadMore query={list} />
        </>
      )}
    </>
  );
}
