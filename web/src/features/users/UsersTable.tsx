import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { roleLabel } from '../../lib/format.js';
import type { SortOrder, UserListItem, UserSort } from './api.js';
import { SortableTh } from './SortableTh.js';
import { StatusBadges } from './StatusBadges.js';

export function UsersTable({
  users,
  sort,
  order,
  onSort,
  busy,
}: {
  users: UserListItem[];
  sort: UserSort;
  order: SortOrder;
  onSort: (column: UserSort) => void;
  busy: boolean;
}) {
  const th = { sort, order, onSort };
  return (
    <ScrollTable label="Users" minWidth={760} busy={busy}>
      <Table.Thead>
        <Table.Tr>
          <SortableTh column="name" label="Name" {...th} />
          <SortableTh column="email" label="Email" {...th} />
          <SortableTh column="role" label="Role" {...th} />
          <SortableTh column="status" label="Status" {...th} />
          <SortableTh column="lastSignInAt" label="Last sign-in" {...th} />
          <Table.Th>2FA</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {users.map((user) => (
          <Table.Tr key={user.id}>
            <Table.Td>
              <Anchor component={Link} to={`/users/${encodeURIComponent(user.id)}`} fw={600} fz="sm">
                {user.displayName}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
                {user.email}
              </Text>
            </Table.Td>
            <Table.Td>{roleLabel(user.role)}</Table.Td>
            <Table.Td>
              <StatusBadges user={user} />
            </Table.Td>
            <Table.Td>{user.lastSignInAt ? <DateCell iso={user.lastSignInAt} /> : 'Never'}</Table.Td>
            <Table.Td>
              {user.twoFactorEnabled ? (
                <Badge color="green" variant="light" size="sm">On</Badge>
              ) : (
                <Text fz="sm" c="dimmed">Off</Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
