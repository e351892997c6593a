import type { ReactNode } from 'react';
import { Table } from '@mantine/core';
import { summariseUserAgent } from '../lib/format.js';
import { DateCell } from './DateCell.js';
import { ScrollTable } from './ScrollTable.js';

/** One signed-in browser, as the account and users areas both list them. */
export interface SessionRow {
  id: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string | null;
}

/** The device's summary, the whole user agent on hover. */
function DeviceText({ userAgent }: { userAgent: string | null }) {
  return <span title={userAgent ?? undefined}>{summariseUserAgent(userAgent)}</span>;
}

/**
 * Browsers and devices signed in: device, IP address, when signed in and last seen, then one more
 * column (`last`: its header and its cell). `device` replaces the plain device summary.
 */
export function SessionsTable<T extends SessionRow>({
  items,
  device,
  last,
}: {
  items: T[];
  device?: (item: T) => ReactNode;
  last: { header: ReactNode; cell: (item: T) => ReactNode; align?: 'right' };
}) {
  return (
    <ScrollTable label="Sessions" minWidth={680}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Device</Table.Th>
          <Table.Th scope="col">IP address</Table.Th>
          <Table.Th scope="col">Signed in</Table.Th>
          <Table.Th scope="col">Last seen</Table.Th>
          <Table.Th scope="col">{last.header}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((item) => (
          <Table.Tr key={item.id}>
            <Table.Td>{device ? device(item) : <DeviceText userAgent={item.userAgent} />}</Table.Td>
            <Table.Td>{item.ip ?? '—'}</Table.Td>
            <Table.Td>
              <DateCell iso={item.createdAt} />
            </Table.Td>
            <Table.Td>
              <DateCell iso={item.lastSeenAt} />
            </Table.Td>
            <Table.Td ta={last.align}>{last.cell(item)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
