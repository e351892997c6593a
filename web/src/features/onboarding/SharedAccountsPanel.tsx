import { Badge, Table, Text } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { LoadMore } from '../../components/LoadMore.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { useSharedAccounts, type SharedAccount } from './api.js';
import { eventLabel } from './meta-labels.js';

function SharedAccountsTable({ accounts, busy }: { accounts: SharedAccount[]; busy: boolean }) {
  return (
    <ScrollTable label="Shared accounts" minWidth={820} busy={busy}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">WhatsApp Business Account ID</Table.Th>
          <Table.Th scope="col">Owner business ID</Table.Th>
          <Table.Th scope="col">Shared</Table.Th>
          <Table.Th scope="col">Last event</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {accounts.map((account) => (
          <Table.Tr key={account.wabaId} data-waba-id={account.wabaId}>
            <Table.Td ff="monospace" fz="sm">
              {account.wabaId}
            </Table.Td>
            <Table.Td ff="monospace" fz="sm">
              {account.ownerBusinessId ?? '—'}
            </Table.Td>
            <Table.Td>
              <DateCell iso={account.sharedAt} />
            </Table.Td>
            <Table.Td>
              <Badge component="span" color={account.shared ? 'blue' : 'gray'} mr={8} style={{ minWidth: 'max-content' }}>
                {account.shared ? 'Still shared' : 'No longer shared'}
              </Badge>
              <Text component="span" fz="sm">
                {eventLabel(account.lastEvent)}
              </Text>
              <Text fz="xs" c="dimmed">
                <DateCell iso={account.lastEventAt} />
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}

/**
 * WhatsApp Business Accounts Meta reports as shared with the app (a partner added it, or installed
 * the app) that were never onboarded here: they have no record, so nothing in the console uses them.
 */
export function SharedAccountsPanel() {
  const list = useSharedAccounts();
  const accounts = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <Text c="dimmed" fz="sm" mb="md">
        Accounts Meta reports as shared with the app that were not connected through the console. Connect one to manage it here.
      </Text>
      {list.isPending ? (
        <InlineLoader label="Loading shared accounts…" />
      ) : list.isError && accounts.length === 0 ? (
        <RetryAlert title="The shared accounts could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : accounts.length === 0 ? (
        <Text c="dimmed" py="lg" ta="center" role="status">
          No shared accounts without a record.
        </Text>
      ) : (
        <>
          <SharedAccountsTable accounts={accounts} busy={list.isFetching && !list.isFetchingNextPage} />
          <LoadMore query={list} />
        </>
      )}
    </>
  );
}
