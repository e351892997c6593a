import type { ReactNode } from 'react';
import { Badge, Table } from '@mantine/core';
import { summariseUserAgent } from '../lib/format.js';
import { DateCell } from './DateCell.js';
import { ScrollTable } from './ScrollTable.js';

/** One sign-in attempt, as the account and users areas both list them. */
export interface LoginActivityRow {
  id: string | number;
  at: string;
  result: 'success' | 'failure';
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** Sign-in attempts, newest first; with `userCell`, also a column for who (or which email) tried. */
export function LoginActivityTable<T extends LoginActivityRow>({
  items,
  reasonLabel,
  userCell,
  busy = false,
}: {
  items: T[];
  reasonLabel: (reason: string) => string;
  userCell?: (item: T) => ReactNode;
  busy?: boolean;
}) {
  return (
    <ScrollTable label="Sign-in activity" minWidth={userCell ? 860 : 680} busy={busy}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Time</Table.Th>
          {userCell ? <Table.Th scope="col">User</Table.Th> : null}
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
            {userCell ? <Table.Td>{userCell(item)}</Table.Td> : null}
            <Table.Td>
              {item.result === 'success' ? <Badge color="green">Success</Badge> : <Badge color="red">Failure</Badge>}
            </Table.Td>
            <Table.Td>{item.reason ? reasonLabel(item.reason) : '—'}</Table.Td>
            <Table.Td>{item.ip ?? '—'}</Table.Td>
            <Table.Td>
              <span title={item.userAgent ?? undefined}>{summariseUserAgent(item.userAgent)}</span>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
