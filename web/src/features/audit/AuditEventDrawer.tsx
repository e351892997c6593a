import type { ReactNode } from 'react';
import { Alert, Code, Drawer, Stack, Table, Text, Title } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { isApiError } from '../../lib/api.js';
import { useAuditEvent, type AuditEventDetail } from './api.js';
import { ActorCell, TargetCell } from './AuditCells.js';
import { KIND_LABELS, targetLabel } from './labels.js';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={160}>
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

/** A detail value as text: strings as they are, everything else as JSON. */
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function EventBody({ event }: { event: AuditEventDetail }) {
  const details = Object.entries(event.details);
  return (
    <Stack gap="lg">
      <Table>
        <Table.Tbody>
          <Fact label="Time">
            <DateCell iso={event.at} />
          </Fact>
          <Fact label="Actor">
            <ActorCell actor={event.actor} />
          </Fact>
          <Fact label="Action">
            {event.actionLabel} <Code>{event.action}</Code>
          </Fact>
          <Fact label="Target">
            <TargetCell type={event.targetType} id={event.targetId} />
          </Fact>
          <Fact label="Changed fields">{event.changedFields.length > 0 ? event.changedFields.join(', ') : '—'}</Fact>
          <Fact label="Request ID">{event.requestId ? <Code>{event.requestId}</Code> : '—'}</Fact>
          <Fact label="Event ID">
            <Code>{event.id}</Code>
          </Fact>
        </Table.Tbody>
      </Table>

      <section aria-labelledby="audit-details-title">
        <Title order={3} fz="h5" id="audit-details-title" mb="xs">
          Details
        </Title>
        {details.length === 0 ? (
          <Text c="dimmed" fz="sm">
            No further details.
          </Text>
        ) : (
          <Table>
            <Table.Tbody>
              {details.map(([key, value]) => (
                <Fact key={key} label={key}>
                  <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
                    {show(value)}
                  </Text>
                </Fact>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </section>

      <section aria-labelledby="audit-personal-title">
        <Title order={3} fz="h5" id="audit-personal-title" mb="xs">
          Personal values
        </Title>
        <Text c="dimmed" fz="xs" mb="xs">
          Kept apart from the trail and erased when the person's data is deleted or its retention period ends.
        </Text>
        {event.personal.length === 0 ? (
          <Text c="dimmed" fz="sm">
            None held for this event.
          </Text>
        ) : (
          <Table aria-label="Personal values">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Field</Table.Th>
                <Table.Th scope="col">Kind</Table.Th>
                <Table.Th scope="col">Value</Table.Th>
                <Table.Th scope="col">Whose</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {event.personal.map((p, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{p.field}</Table.Td>
                  <Table.Td>{KIND_LABELS[p.kind] ?? p.kind}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{p.value}</Table.Td>
                  <Table.Td>
                    <Text fz="sm">{targetLabel(p.subjectType)}</Text>
                    <Text fz="xs" c="dimmed" ff="monospace">
                      {p.subjectId}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </section>
    </Stack>
  );
}

/** One audit event: what happened and what changed, in a side drawer. */
export function AuditEventDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const detail = useAuditEvent(id);
  return (
    <Drawer opened={id !== null} onClose={onClose} position="right" size="lg" title={<Title order={2} fz="h4">Audit event</Title>} closeButtonProps={{ 'aria-label': 'Close the event details' }}>
      {id === null ? null : detail.isPending ? (
        <InlineLoader label="Loading the event…" />
      ) : detail.isError ? (
        isApiError(detail.error, 404) ? (
          <Alert color="yellow" variant="light" role="status">
            This event no longer exists (its retention period ended).
          </Alert>
        ) : (
          <RetryAlert title="The event could not be loaded" error={detail.error} onRetry={() => void detail.refetch()} />
        )
      ) : (
        <EventBody event={detail.data.event} />
      )}
    </Drawer>
  );
}
