import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { DateCell } from '../../components/DateCell.js';
import { summariseUserAgent } from '../../lib/format.js';
import type { LoginActivityEntry } from './api.js';
import { reasonLabel } from './labels.js';

function UserCell({ entry }: { entry: LoginActivityEntry }) {
  if (entry.userId) {
    return (
      <Anchor component={Link} to={`/users/${encodeURIComponent(entry.userId)}`} fz="sm">
        {entry.userDisplayName ?? entry.userEmail ?? 'Unknown user'}
      </Anchor>
    );
  }
  // No account matched: show the email that was typed in.
  return (
    <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
      {entry.attemptedEmail ?? '—'}{' '}
      <Text span fz="xs" c="dimmed">
        (no account)
      </Text>
    </Text>
  );
}

/** Sign-in attempts, newest first; with `showUser`, also who (or which email) tried. */
export function LoginActivityTable({ items, showUser, busy = false }: { items: LoginActivityEntry[]; showUser: boolean; busy?: boolean }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Sign-in activity table" aria-busy={busy}>
      <Table miw={showUser ? 860 : 680} aria-label="Sign-in activity" style={{ opacity: busy ? 0.6 : 1 }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Time</Table.Th>
            {showUser ? <Table.Th scope="col">User</Table.Th> : null}
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
              {showUser ? (
                <Table.Td>
                  <UserCell entry={item} />
                </Table.Td>
              ) : null}
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
      </Table>
    </div>
  );
}
