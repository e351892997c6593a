import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import type { RecordListItem } from './api.js';
import { connectedBy, recordTitle } from './labels.js';
import { PhoneNumbersCell } from './PhoneNumbersCell.js';
import { StateBadge } from './StateBadge.js';

function WhenCell({ record }: { record: RecordListItem }) {
  return (
    <>
      <Text fz="xs" c="dimmed">
        {record.connectedAt ? 'Connected' : 'Started'}
      </Text>
      <DateCell iso={record.connectedAt ?? record.createdAt} />
    </>
  );
}

/** Onboarding records (WhatsApp Business Accounts), newest first. */
export function RecordsTable({ records, busy }: { records: RecordListItem[]; busy: boolean }) {
  return (
    <ScrollTable label="WhatsApp accounts" minWidth={920} busy={busy}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Business</Table.Th>
          <Table.Th scope="col">WhatsApp Business Account</Table.Th>
          <Table.Th scope="col">Phone numbers</Table.Th>
          <Table.Th scope="col">State</Table.Th>
          <Table.Th scope="col">Reason</Table.Th>
          <Table.Th scope="col">Connected by</Table.Th>
          <Table.Th scope="col">When</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {records.map((record) => (
          <Table.Tr key={record.id} data-record-id={record.id}>
            <Table.Td>
              <Anchor component={Link} to={`/onboarding/${encodeURIComponent(record.id)}`} fw={600} fz="sm">
                {recordTitle(record)}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <Text fz="sm">{record.wabaName ?? '—'}</Text>
              {record.wabaId ? (
                <Text fz="xs" c="dimmed" ff="monospace">
                  {record.wabaId}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td>
              <PhoneNumbersCell numbers={record.phoneNumbers} />
            </Table.Td>
            <Table.Td>
              <StateBadge state={record.state} />
            </Table.Td>
            <Table.Td>
              <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
                {record.reason ?? '—'}
              </Text>
            </Table.Td>
            <Table.Td>{connectedBy(record)}</Table.Td>
            <Table.Td>
              <WhenCell record={record} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
