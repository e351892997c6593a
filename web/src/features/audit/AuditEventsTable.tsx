import { Button, Table, Text, VisuallyHidden } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import type { AuditEvent } from './api.js';
import { ActorCell, TargetCell } from './AuditCells.js';

/** Audit events, newest first; "Details" opens one event. */
export function AuditEventsTable({ events, busy, onOpen }: { events: AuditEvent[]; busy: boolean; onOpen: (id: number) => void }) {
  return (
    <ScrollTable label="Audit events" minWidth={1000} busy={busy}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Time</Table.Th>
          <Table.Th scope="col">Actor</Table.Th>
          <Table.Th scope="col">Action</Table.Th>
          <Table.Th scope="col">Target</Table.Th>
          <Table.Th scope="col">Changed fields</Table.Th>
          <Table.Th scope="col">
            <VisuallyHidden>Details</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {events.map((event) => (
          <Table.Tr key={event.id} data-event-id={event.id}>
            <Table.Td>
              <DateCell iso={event.at} />
            </Table.Td>
            <Table.Td>
              <ActorCell actor={event.actor} />
            </Table.Td>
            <Table.Td>
              <Text fz="sm">{event.actionLabel}</Text>
              <Text fz="xs" c="dimmed" ff="monospace">
                {event.action}
              </Text>
            </Table.Td>
            <Table.Td>
              <TargetCell type={event.targetType} id={event.targetId} />
            </Table.Td>
            <Table.Td>
              <Text fz="sm">{event.changedFields.length > 0 ? event.changedFields.join(', ') : '—'}</Text>
            </Table.Td>
            <Table.Td>
              <Button variant="default" size="xs" onClick={() => onOpen(event.id)} aria-label={`Details of event ${event.id}: ${event.actionLabel}`}>
                Details
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
