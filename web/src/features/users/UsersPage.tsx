import { useState } from 'react';
import { Button, Card, Text } from '@mantine/core';
import { IconUserPlus } from '../../components/icons.js';
import { LoadMore } from '../../components/LoadMore.js';
import { PageHeader } from '../../components/PageHeader.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { useUrlState } from '../../lib/use-url-state.js';
import { useSession } from '../../lib/session.js';
import { useUsersList, type UserSort, type UsersFilters } from './api.js';
import { InviteUserModal } from './InviteUserModal.js';
import { defaultOrder, hasActiveFilters, readUsersFilters, writeUsersFilters } from './list-params.js';
import { UsersFilterBar } from './UsersFilterBar.js';
import { UsersTable } from './UsersTable.js';

export function UsersPage() {
  const { can } = useSession();
  const [filters, setFilters] = useUrlState<UsersFilters>(readUsersFilters, writeUsersFilters);
  const [inviteOpened, setInviteOpened] = useState(false);

  const list = useUsersList(filters);
  const users = list.data?.pages.flatMap((page) => page.items) ?? [];

  const onSort = (column: UserSort) => {
    const order = column === filters.sort ? (filters.order === 'asc' ? 'desc' : 'asc') : defaultOrder(column);
    setFilters({ ...filters, sort: column, order });
  };

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone with access to the console, and the invitations still open."
        actions={
          can('users.invite') ? (
            <Button leftSection={<IconUserPlus />} onClick={() => setInviteOpened(true)}>
              Invite user
            </Button>
          ) : null
        }
      />
      <Card>
        <UsersFilterBar filters={filters} onChange={setFilters} />
        {list.isPending ? (
          <InlineLoader label="Loading users…" />
        ) : list.isError && users.length === 0 ? (
          <RetryAlert title="The users could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
        ) : users.length === 0 ? (
          <Text c="dimmed" py="lg" ta="center" role="status">
            {hasActiveFilters(filters) ? 'No users match this search and these filters.' : 'No users yet.'}
          </Text>
        ) : (
          <>
            <UsersTable
              users={users}
              sort={filters.sort}
              order={filters.order}
              onSort={onSort}
              busy={list.isPlaceholderData && list.isFetching}
            />
            <LoadMore query={list} />
          </>
        )}
      </Card>
      {can('users.invite') ? <InviteUserModal opened={inviteOpened} onClose={() => setInviteOpened(false)} /> : null}
    </>
  );
}
