import { Anchor, Badge, List, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import type { MetaCallback } from './api.js';
import { CALLBACK_KIND_LABELS, deletionOutcome, recordResultLabel, resultColor, resultLabel } from './callback-labels.js';

/** What the callback came to: the matched records and what happened to each, or a sentence. */
function Outcome({ callback }: { callback: MetaCallback }) {
  const o = callback.outcome;
  if (callback.kind === 'data_deletion') return <Text fz="sm">{deletionOutcome(o)}</Text>;
  if (o.records.length === 0) return <Text fz="sm">No WhatsApp account is linked to this Meta user.</Text>;
  return (
    <List size="sm" spacing={2}>
      {o.records.map((r) => (
        <List.Item key={r.recordId}>
          <Anchor component={Link} to={`/onboarding/${encodeURIComponent(r.recordId)}`} fz="sm">
            {r.name ?? 'WhatsApp account'}
          </Anchor>{' '}
          {recordResultLabel(r.result)}
        </List.Item>
      ))}
    </List>
  );
}

/** Meta's deauthorize and data deletion callbacks, newest first. */
export function CallbacksTable({ callbacks, busy }: { callbacks: MetaCallback[]; busy: boolean }) {
  return (
    <ScrollTable label="Meta callbacks" minWidth={900} busy={busy}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Received</Table.Th>
          <Table.Th scope="col">Kind</Table.Th>
          <Table.Th scope="col">Meta user ID</Table.Th>
          <Table.Th scope="col">Result</Table.Th>
          <Table.Th scope="col">What happened</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {callbacks.map((callback) => (
          <Table.Tr key={callback.id} data-callback-id={callback.id}>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              <DateCell iso={callback.receivedAt} />
            </Table.Td>
            <Table.Td>{CALLBACK_KIND_LABELS[callback.kind] ?? callback.kind}</Table.Td>
            <Table.Td ff="monospace" fz="sm">
              {callback.metaUserId}
            </Table.Td>
            <Table.Td>
              <Badge component="span" color={resultColor(callback.outcome.result)} data-result={callback.outcome.result} style={{ minWidth: 'max-content' }}>
                {resultLabel(callback.outcome.result)}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Outcome callback={callback} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
