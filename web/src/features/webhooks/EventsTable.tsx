import { Table, Text, VisuallyHidden } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import type { WebhookEvent } from './api.js';
import { EventStateBadge } from './EventStateBadge.js';
import { summaryLine } from './labels.js';
import { ReprocessButton } from './ReprocessButton.js';

function IdCell({ value }: { value: string | null }) {
  return value ? (
    <Text fz="sm" ff="monospace">
      {value}
    </Text>
  ) : (
    <>—</>
  );
}

/** Webhook events, newest first; failed ones offer "Reprocess" when `onReprocess` is given. */
export function EventsTable({
  events,
  busy,
  onReprocess,
  reprocessing,
}: {
  events: WebhookEvent[];
  busy: boolean;
  /** absent: the caller may not reprocess */
  onReprocess?: ((id: WebhookEvent['id']) => void) | undefined;
  /** the event being reprocessed now */
  reprocessing: WebhookEvent['id'] | null;
}) {
  return (
    <ScrollTable label="Webhook events" minWidth={1080} busy={busy}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Received</Table.Th>
          <Table.Th scope="col">Field</Table.Th>
          <Table.Th scope="col">WABA</Table.Th>
          <Table.Th scope="col">Phone number ID</Table.Th>
          <Table.Th scope="col">Event time</Table.Th>
          <Table.Th scope="col">State</Table.Th>
          <Table.Th scope="col">Reason</Table.Th>
          <Table.Th scope="col">Attempts</Table.Th>
          {onReprocess ? (
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          ) : null}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {events.map((event) => {
          const summary = summaryLine(event.summary);
          return (
            <Table.Tr key={String(event.id)} data-event-id={String(event.id)}>
              <Table.Td>
                <DateCell iso={event.receivedAt} />
              </Table.Td>
              <Table.Td>
                <Text fz="sm">{event.field}</Text>
                {summary ? (
                  <Text fz="xs" c="dimmed">
                    {summary}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <IdCell value={event.wabaId} />
              </Table.Td>
              <Table.Td>
                <IdCell value={event.phoneNumberId} />
              </Table.Td>
              <Table.Td>
                <DateCell iso={event.eventAt} />
              </Table.Td>
              <Table.Td>
                <EventStateBadge state={event.state} />
              </Table.Td>
              <Table.Td>
                <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
                  {event.reason ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>{event.attempts}</Table.Td>
              {onReprocess ? (
                <Table.Td>
                  {event.state === 'failed' ? (
                    <ReprocessButton
                      event={event}
                      busy={reprocessing === event.id}
                      disabled={reprocessing !== null && reprocessing !== event.id}
                      onReprocess={onReprocess}
                    />
                  ) : null}
                </Table.Td>
              ) : null}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </ScrollTable>
  );
}
