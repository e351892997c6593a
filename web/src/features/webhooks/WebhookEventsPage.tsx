import { Alert, Card, Tabs, Text } from '@mantine/core';
import { LoadMore } from '../../components/LoadMore.js';
import { PageHeader } from '../../components/PageHeader.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useSession } from '../../lib/session.js';
import { useUrlState } from '../../lib/use-url-state.js';
import { useEventsList, useReprocessEvent, type EventsFilters } from './api.js';
import { CallbacksPanel } from './CallbacksPanel.js';
import { EventsFilterBar } from './EventsFilterBar.js';
import { EventsTable } from './EventsTable.js';
import { hasEventFilters, readEventsFilters, writeEventsFilters, type WebhooksParams } from './list-params.js';

/** What Meta sent through webhooks, one row per change, newest first (no message content). */
function EventsPanel({ filters, onChange }: { filters: EventsFilters; onChange: (next: EventsFilters) => void }) {
  const { can } = useSession();
  const list = useEventsList(filters);
  const reprocess = useReprocessEvent();
  const events = list.data?.pages.flatMap((page) => page.items) ?? [];
  const canReprocess = can('webhooks.reprocess');

  return (
    <>
      <EventsFilterBar filters={filters} onChange={onChange} />
      {reprocess.isError ? (
        <Alert color="red" variant="light" role="alert" title="Reprocessing failed" mb="md" withCloseButton closeButtonLabel="Dismiss" onClose={() => reprocess.reset()}>
          {errorMessage(reprocess.error)}
        </Alert>
      ) : null}
      {reprocess.isSuccess ? (
        <Alert color="green" variant="light" role="status" mb="md" withCloseButton closeButtonLabel="Dismiss" onClose={() => reprocess.reset()}>
          The event was processed again; its row shows the outcome.
        </Alert>
      ) : null}
      {list.isPending ? (
        <InlineLoader label="Loading webhook events…" />
      ) : list.isError && events.length === 0 ? (
        <RetryAlert title="The webhook events could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : events.length === 0 ? (
        <Text c="dimmed" py="lg" ta="center" role="status">
          {hasEventFilters(filters) ? 'No webhook events match these filters.' : 'No webhook events received yet.'}
        </Text>
      ) : (
        <>
          <EventsTable
            events={events}
            busy={list.isPlaceholderData && list.isFetching}
            onReprocess={canReprocess ? (id) => reprocess.mutate(id) : undefined}
            reprocessing={reprocess.isPending ? (reprocess.variables ?? null) : null}
          />
          <LoadMore query={list} />
        </>
      )}
    </>
  );
}

/** Webhook events, and Meta's deauthorize and data deletion callbacks, each newest first. */
export function WebhookEventsPage() {
  const [params, setParams] = useUrlState<WebhooksParams>(readEventsFilters, writeEventsFilters);

  return (
    <>
      <PageHeader
        title="Webhook events"
        description="Every change Meta sent through webhooks, and Meta's deauthorize and data deletion callbacks, newest first. Message content is never kept."
      />
      <Card>
        <Tabs value={params.tab} onChange={(tab) => setParams({ ...params, tab: tab === 'callbacks' ? 'callbacks' : 'events' })} keepMounted={false}>
          <Tabs.List mb="md">
            <Tabs.Tab value="events">Events</Tabs.Tab>
            <Tabs.Tab value="callbacks">Meta callbacks</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="events">
            <EventsPanel filters={{ state: params.state, field: params.field }} onChange={(next) => setParams({ ...params, ...next })} />
          </Tabs.Panel>
          <Tabs.Panel value="callbacks">
            <CallbacksPanel kind={params.kind} onKind={(kind) => setParams({ ...params, kind })} />
          </Tabs.Panel>
        </Tabs>
      </Card>
    </>
  );
}
