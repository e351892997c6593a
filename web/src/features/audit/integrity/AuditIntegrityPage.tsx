import { Alert, Anchor, Button, Card, Group, List, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { PageHeader } from '../../../components/PageHeader.js';
import { errorMessage } from '../../../lib/api.js';
import { formatDateTime } from '../../../lib/format.js';
import { verifyAuditChain, type BreakKind, type VerifyReport } from './api.js';

/** What each kind of break means, for the person reading the result. */
const BREAK_LABELS: Record<BreakKind, string> = {
  position_gap: 'Links are missing from the chain',
  prev_hash_mismatch: 'A link does not follow the one before it',
  event_missing: 'An audit event was deleted',
  hash_mismatch: 'An audit event was changed',
  anchor_mac_invalid: 'A signed checkpoint was altered',
  anchor_key_unknown: 'A checkpoint is signed with a key that is no longer configured',
  anchor_mismatch: 'The chain no longer matches a signed checkpoint',
  chain_truncated: 'The newest links were cut off',
  event_not_chained: 'An audit event is missing from the chain',
};

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={2}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </Stack>
  );
}

function Result({ report }: { report: VerifyReport }) {
  const b = report.firstBreak;
  return (
    <Stack gap="md">
      {b ? (
        <Alert color="red" title={BREAK_LABELS[b.kind]} role="alert">
          <Stack gap={4}>
            <Text>{report.summary}</Text>
            <Text size="sm">
              First broken link: position {b.position}
              {b.eventId !== null ? `, audit event ${b.eventId}` : ''}
              {b.anchorId !== null ? `, checkpoint ${b.anchorId}` : ''}.
            </Text>
          </Stack>
        </Alert>
      ) : (
        <Alert color="green" title="The audit log is intact" role="status">
          {report.summary}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Figure label="Verified up to position" value={String(report.verifiedUpTo)} />
        <Figure label="Latest checkpoint" value={report.latestAnchor ? `${formatDateTime(report.latestAnchor.at)} (${report.latestAnchor.reason})` : 'none yet'} />
        <Figure label="Newer events, not yet covered" value={String(report.newerEvents)} />
        <Figure label="Chain positions" value={report.headPosition === 0 ? 'empty' : `${report.startPosition} – ${report.headPosition}`} />
        <Figure label="Links checked" value={String(report.linksChecked)} />
        <Figure label="Checkpoints checked" value={String(report.anchorsChecked)} />
      </SimpleGrid>
    </Stack>
  );
}

/** Checks the audit chain and its signed checkpoints, and names the first broken link. */
export function AuditIntegrityPage() {
  const verify = useMutation({ mutationFn: verifyAuditChain });

  return (
    <>
      <PageHeader
        title="Audit log integrity"
        description={
          <>
            Every audit event is chained to the one before it, and the chain&apos;s head is signed every few minutes and at each
            purge. <Anchor component={Link} to="/audit" underline="always">Back to the audit log</Anchor>
          </>
        }
        actions={
          <Group gap="sm">
            <Button onClick={() => verify.mutate(false)} loading={verify.isPending && verify.variables === false} disabled={verify.isPending}>
              Verify now
            </Button>
            <Button variant="default" onClick={() => verify.mutate(true)} loading={verify.isPending && verify.variables === true} disabled={verify.isPending}>
              Sign a checkpoint and verify
            </Button>
          </Group>
        }
      />
      <Card>
        <Stack gap="md">
          {verify.isError ? (
            <Alert color="red" title="The verification could not run" role="alert">
              {errorMessage(verify.error)}
            </Alert>
          ) : null}
          {verify.data ? (
            <Result report={verify.data} />
          ) : (
            <Text c="dimmed" role="status">
              {verify.isPending ? 'Verifying the chain…' : 'Run a verification to check the audit log. Large logs take a while.'}
            </Text>
          )}
          <Stack gap={4}>
            <Text fw={600} size="sm">
              What this check covers
            </Text>
            <List size="sm" spacing={2}>
              <List.Item>Changed, deleted, inserted or reordered events up to the latest signed checkpoint.</List.Item>
              <List.Item>Events newer than the latest checkpoint are checked too, but their removal from the end of the log only shows after the next checkpoint — &quot;Sign a checkpoint and verify&quot; covers everything written so far.</List.Item>
              <List.Item>Old events removed by the retention purge are expected: the check starts where the latest purge cut the log.</List.Item>
              <List.Item>It cannot prove anything against someone holding both database superuser rights and the encryption key.</List.Item>
            </List>
          </Stack>
        </Stack>
      </Card>
    </>
  );
}
