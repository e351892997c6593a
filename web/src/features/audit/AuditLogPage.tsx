import { useState } from 'react';
import { Button, Card, Group, Text } from '@mantine/core';
import { Link } from 'react-router';
import { LoadMore } from '../../components/LoadMore.js';
import { PageHeader } from '../../components/PageHeader.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { useUrlState } from '../../lib/use-url-state.js';
import { goAfterStepUp } from '../account/two-factor/ensure-step-up.js';
import { exportHref, useAuditEvents, type AuditFilters } from './api.js';

/** Exports are a step-up action: ask for a fresh proof first, then start the download. */
const stepUpFirst = (e: React.MouseEvent, href: string) => {
  e.preventDefault();
  goAfterStepUp(href);
};
import { AuditEventDrawer } from './AuditEventDrawer.js';
import { AuditEventsTable } from './AuditEventsTable.js';
import { AuditFilterBar } from './AuditFilterBar.js';
import { hasAuditFilters, readAuditFilters, writeAuditFilters } from './list-params.js';

/** The audit trail, newest first: filter, read one event's changes, export the filtered range, verify the chain. */
export function AuditLogPage() {
  const [filters, setFilters] = useUrlState<AuditFilters>(readAuditFilters, writeAuditFilters);
  const list = useAuditEvents(filters);
  const [openId, setOpenId] = useState<number | null>(null);
  const events = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what, and when. Exports carry the filters below and include personal values; each export is itself recorded."
        actions={
          <Group gap="sm">
            <Button component="a" href={exportHref(filters, 'csv')} download variant="default" onClick={(e) => stepUpFirst(e, exportHref(filters, 'csv'))}>
              Export CSV
            </Button>
            <Button component="a" href={exportHref(filters, 'jsonl')} download variant="default" onClick={(e) => stepUpFirst(e, exportHref(filters, 'jsonl'))}>
              Export JSON lines
            </Button>
            <Button component={Link} to="/audit/integrity" variant="light">
              Verify integrity
            </Button>
          </Group>
        }
      />
      <Card>
        <AuditFilterBar filters={filters} onChange={setFilters} />
        {list.isPending ? (
          <InlineLoader label="Loading audit events…" />
        ) : list.isError && events.length === 0 ? (
          <RetryAlert title="The audit log could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
        ) : events.length === 0 ? (
          <Text c="dimmed" py="lg" ta="center" role="status">
            {hasAuditFilters(filters) ? 'No audit events match these filters.' : 'No audit events yet.'}
          </Text>
        ) : (
          <>
            <AuditEventsTable events={events} busy={list.isPlaceholderData && list.isFetching} onOpen={setOpenId} />
            <LoadMore query={list} />
          </>
        )}
      </Card>
      <AuditEventDrawer id={openId} onClose={() => setOpenId(null)} />
    </>
  );
}
