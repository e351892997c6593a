import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { LoadMore } from '../../components/LoadMore.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { usePeriods, usePreview, useRunPurge, useRuns, type PurgeRun, type RetentionKind } from './api.js';

const TRIGGERS: Record<string, string> = { schedule: 'Daily schedule', cli: 'Command line', manual: 'Run by an owner' };

/** "12 login activity, 3 ended sessions"; "nothing" when every count is zero. */
function CountsText({ counts, labels }: { counts: Partial<Record<RetentionKind, number>>; labels: Map<string, string> }) {
  const parts = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0);
  if (parts.length === 0) return <Text c="dimmed" fz="sm">Nothing was due</Text>;
  return <Text fz="sm">{parts.map(([k, n]) => `${labels.get(k) ?? k}: ${n}`).join(' · ')}</Text>;
}

/** What the next run would delete: a dry run on demand. */
function NextRunPreview({ labels }: { labels: Map<string, string> }) {
  const [asked, setAsked] = useState(false);
  const preview = usePreview(asked);
  if (!asked) {
    return (
      <Button variant="light" onClick={() => setAsked(true)}>
        Show what the next run would delete
      </Button>
    );
  }
  if (preview.isPending) return <InlineLoader label="Counting what is due…" />;
  if (preview.isError) return <RetryAlert title="The preview could not be computed" error={preview.error} onRetry={() => void preview.refetch()} />;
  const rows = Object.entries(preview.data.counts) as [RetentionKind, number][];
  return (
    <Stack gap="xs">
      <ScrollTable label="What the next run would delete" minWidth={520} busy={preview.isFetching}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Kind of record</Table.Th>
            <Table.Th ta="right">Rows due</Table.Th>
            <Table.Th>Older than</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(([kind, n]) => (
            <Table.Tr key={kind}>
              <Table.Td>{labels.get(kind) ?? kind}</Table.Td>
              <Table.Td ta="right">{n.toLocaleString()}</Table.Td>
              <Table.Td>
                <DateCell iso={preview.data.cutoffs[kind]} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ScrollTable>
      <Group>
        <Button size="xs" variant="subtle" onClick={() => void preview.refetch()} loading={preview.isFetching}>
          Count again
        </Button>
        <Text c="dimmed" fz="xs">
          A dry run: nothing was changed. Data under legal hold is not counted.
        </Text>
      </Group>
    </Stack>
  );
}

/** Past purge runs with their counts, the next run's preview and "Run purge now". */
export function PurgeRunsSection() {
  const runs = useRuns();
  const periods = usePeriods();
  const run = useRunPurge();
  const [confirming, setConfirming] = useState(false);
  const labels = new Map((periods.data?.items ?? []).map((p) => [p.kind, p.label] as const));
  const items: PurgeRun[] = runs.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Section
      title="Purge runs"
      description="The purge runs daily at 02:30 UTC. Each run is recorded here and in the audit log, and anchors the audit chain."
      actions={<Button color="red" variant="light" onClick={() => setConfirming(true)}>Run purge now</Button>}
    >
      <Stack gap="lg">
        {run.isError ? (
          <Alert color="red" variant="light" role="alert" title="The purge failed" withCloseButton closeButtonLabel="Dismiss" onClose={() => run.reset()}>
            {errorMessage(run.error)}
          </Alert>
        ) : null}
        {run.isSuccess ? (
          <Alert color="green" variant="light" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => run.reset()}>
            Purge run {run.data.runId} finished. <CountsText counts={run.data.counts} labels={labels} />
          </Alert>
        ) : null}
        <NextRunPreview labels={labels} />
        {runs.isPending ? (
          <InlineLoader label="Loading purge runs…" />
        ) : runs.isError && items.length === 0 ? (
          <RetryAlert title="The purge runs could not be loaded" error={runs.error} onRetry={() => void runs.refetch()} />
        ) : items.length === 0 ? (
          <Text c="dimmed" py="md" ta="center" role="status">
            No purge has run yet.
          </Text>
        ) : (
          <>
            <ScrollTable label="Purge runs" minWidth={760}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Trigger</Table.Th>
                  <Table.Th>Deleted or erased</Table.Th>
                  <Table.Th>Audit anchor</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <DateCell iso={r.startedAt} />
                    </Table.Td>
                    <Table.Td>{TRIGGERS[r.trigger] ?? r.trigger}</Table.Td>
                    <Table.Td maw={420}>
                      {r.error ? (
                        <Text c="red" fz="sm">
                          Failed: {r.error}
                        </Text>
                      ) : r.finishedAt === null ? (
                        <Text c="dimmed" fz="sm">
                          Running…
                        </Text>
                      ) : null}
                      <CountsText counts={r.counts} labels={labels} />
                    </Table.Td>
                    <Table.Td>{r.anchorId ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </ScrollTable>
            <LoadMore query={runs} />
          </>
        )}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Run the purge now?">
        <Stack gap="md">
          <Text fz="sm">Everything past its retention period is deleted or erased now, except data under legal hold. This cannot be undone.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={run.isPending}
              onClick={() => run.mutate(undefined, { onSettled: () => setConfirming(false) })}
            >
              Run purge
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Section>
  );
}
