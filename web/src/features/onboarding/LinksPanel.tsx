import { useState } from 'react';
import { Button, Group, NativeSelect, Text } from '@mantine/core';
import { IconLink } from '../../components/icons.js';
import { LoadMore } from '../../components/LoadMore.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { useSession } from '../../lib/session.js';
import { useLinksList, type LinkStatus, type OnboardingLink } from './api.js';
import { CreateLinkModal } from './CreateLinkModal.js';
import { LINK_STATUSES, LINK_STATUS_LABELS } from './labels.js';
import { LinksTable } from './LinksTable.js';
import { RevokeLinkModal } from './RevokeLinkModal.js';

const STATUS_OPTIONS = [{ value: '', label: 'All statuses' }, ...LINK_STATUSES.map((status) => ({ value: status, label: LINK_STATUS_LABELS[status] }))];

/** Links a customer opens to connect their own WhatsApp Business Account, without a console account. */
export function LinksPanel({ status, onStatus }: { status: LinkStatus | ''; onStatus: (status: LinkStatus | '') => void }) {
  const { can } = useSession();
  const manage = can('onboarding.manage');
  const [createOpened, setCreateOpened] = useState(false);
  // Kept while the dialog closes, so its text does not change under the closing animation.
  const [revoking, setRevoking] = useState<OnboardingLink | null>(null);
  const [revokeOpened, setRevokeOpened] = useState(false);
  const list = useLinksList(status);
  const links = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="md" mb="md">
        <NativeSelect
          label="Link status"
          data={STATUS_OPTIONS}
          value={status}
          onChange={(event) => onStatus(event.currentTarget.value as LinkStatus | '')}
        />
        {manage ? (
          <Button leftSection={<IconLink />} onClick={() => setCreateOpened(true)}>
            Create link
          </Button>
        ) : null}
      </Group>
      {list.isPending ? (
        <InlineLoader label="Loading customer links…" />
      ) : list.isError && links.length === 0 ? (
        <RetryAlert title="The customer links could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : links.length === 0 ? (
        <Text c="dimmed" py="lg" ta="center" role="status">
          {status ? 'No customer links with this status.' : 'No customer links yet.'}
        </Text>
      ) : (
        <>
          <LinksTable
            links={links}
            busy={list.isPlaceholderData && list.isFetching}
            onRevoke={
              manage
                ? (link) => {
                    setRevoking(link);
                    setRevokeOpened(true);
                  }
                : null
            }
          />
          <LoadMore query={list} />
        </>
      )}
      {manage ? <CreateLinkModal opened={createOpened} onClose={() => setCreateOpened(false)} /> : null}
      {manage && revoking ? <RevokeLinkModal link={revoking} opened={revokeOpened} onClose={() => setRevokeOpened(false)} /> : null}
    </>
  );
}
