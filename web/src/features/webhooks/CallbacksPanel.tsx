import { NativeSelect, Text } from '@mantine/core';
import { LoadMore } from '../../components/LoadMore.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { useCallbacksList, type CallbackKind } from './api.js';
import { CALLBACK_KINDS, CALLBACK_KIND_LABELS } from './callback-labels.js';
import { CallbacksTable } from './CallbacksTable.js';

const KIND_OPTIONS = [{ value: '', label: 'All kinds' }, ...CALLBACK_KINDS.map((kind) => ({ value: kind, label: CALLBACK_KIND_LABELS[kind] }))];

/** The deauthorize and data deletion callbacks Meta sent (verified ones; forged ones are never stored). */
export function CallbacksPanel({ kind, onKind }: { kind: CallbackKind | ''; onKind: (kind: CallbackKind | '') => void }) {
  const list = useCallbacksList(kind);
  const callbacks = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <NativeSelect label="Kind" data={KIND_OPTIONS} value={kind} onChange={(event) => onKind(event.currentTarget.value as CallbackKind | '')} mb="md" maw={240} />
      {list.isPending ? (
        <InlineLoader label="Loading Meta callbacks…" />
      ) : list.isError && callbacks.length === 0 ? (
        <RetryAlert title="The Meta callbacks could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : callbacks.length === 0 ? (
        <Text c="dimmed" py="lg" ta="center" role="status">
          {kind ? 'No Meta callbacks of this kind yet.' : 'No Meta callbacks received yet.'}
        </Text>
      ) : (
        <>
          <CallbacksTable callbacks={callbacks} busy={list.isPlaceholderData && list.isFetching} />
          <LoadMore query={list} />
        </>
      )}
    </>
  );
}
