import { useState, type ReactNode } from 'react';
import { Alert, Anchor, Button, Card, Group, Modal, SimpleGrid, Stack, Table, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useParams } from 'react-router';
import { DateCell } from '../../components/DateCell.js';
import { PageHeader } from '../../components/PageHeader.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage, isApiError } from '../../lib/api.js';
import { humanise } from '../../lib/format.js';
import { exportUrl, useQueueAction, useRequestDetail, type QueueAction, type RequestDetail } from './api.js';
import { KIND_LABELS, SOURCE_LABELS } from './labels.js';
import { DueCell, OutcomeView, StateBadge } from './RequestBadges.js';

function Back() {
  return (
    <Anchor component={Link} to="/privacy-requests" fz="sm" mb="xs" display="inline-block">
      <span aria-hidden="true">← </span>
      All privacy requests
    </Anchor>
  );
}

const ACTION_TEXT: Record<QueueAction, { label: string; title: string; reason: 'required' | 'optional' | 'none'; reasonLabel?: string; confirm: string }> = {
  verify: { label: 'Verify', title: 'Verify the requester', reason: 'required', reasonLabel: 'How you verified who is asking', confirm: 'Mark verified' },
  extend: { label: 'Extend by two months', title: 'Extend the due date', reason: 'required', reasonLabel: 'Why more time is needed (told to the requester)', confirm: 'Extend' },
  reject: { label: 'Reject', title: 'Reject the request', reason: 'required', reasonLabel: 'Why (shown to the requester)', confirm: 'Reject' },
  cancel: { label: 'Cancel request', title: 'Cancel the request', reason: 'none', confirm: 'Cancel request' },
  fulfil: { label: 'Fulfil', title: 'Fulfil the request', reason: 'optional', reasonLabel: 'Note (required when other fields were corrected by hand)', confirm: 'Fulfil now' },
};

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text fz="xs" c="dimmed">{label}</Text>
      <Text fz="sm" component="div">{children}</Text>
    </div>
  );
}

function Actions({ data }: { data: RequestDetail }) {
  const { request, can } = data;
  const act = useQueueAction(request.id);
  const [open, setOpen] = useState<QueueAction | null>(null);
  const [reason, setReason] = useState('');
  const text = open ? ACTION_TEXT[open] : null;
  const reasonError = isApiError(act.error, 400) ? act.error.errors.find((e) => e.path === 'reason')?.message : undefined;
  const run = () => {
    if (!open) return;
    act.mutate(
      { action: open, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', message: `${ACTION_TEXT[open].label}: done` });
          setOpen(null);
          setReason('');
        },
      },
    );
  };
  const buttons = (['verify', 'fulfil', 'extend', 'reject', 'cancel'] as const).filter((a) => can[a]);
  return (
    <>
      <Group gap="sm">
        {buttons.map((a) => (
          <Button key={a} variant={a === 'fulfil' || a === 'verify' ? 'filled' : a === 'reject' ? 'light' : 'default'} color={a === 'reject' ? 'red' : undefined} onClick={() => { act.reset(); setReason(''); setOpen(a); }}>
            {ACTION_TEXT[a].label}
          </Button>
        ))}
        {can.download ? (
          <>
            <Button component="a" href={exportUrl(request.id, 'admin')} download variant="default">
              Download export (JSON)
            </Button>
            <Button component="a" href={exportUrl(request.id, 'admin', 'text')} download variant="subtle">
              Summary (text)
            </Button>
          </>
        ) : null}
      </Group>
      <Modal opened={open !== null} onClose={() => setOpen(null)} title={text?.title ?? ''}>
        <form onSubmit={(e) => { e.preventDefault(); run(); }}>
          <Stack>
            {act.isError && !reasonError ? <Alert color="red" variant="light" role="alert">{errorMessage(act.error)}</Alert> : null}
            {open === 'fulfil' && request.kind === 'deletion' ? (
              <Text fz="sm">This erases the person's data now (except what a retention exception keeps). It cannot be undone.</Text>
            ) : null}
            {text && text.reason !== 'none' ? (
              <Textarea label={text.reasonLabel} required={text.reason === 'required'} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={reasonError} autosize minRows={2} />
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(null)}>Back</Button>
              <Button type="submit" loading={act.isPending} color={open === 'reject' || (open === 'fulfil' && request.kind === 'deletion') ? 'red' : undefined}>
                {text?.confirm}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

/** One privacy request: who, what, the clock, the actions allowed now, the outcome and the audit trail. */
export function RequestDetailPage() {
  const { id = '' } = useParams();
  const query = useRequestDetail(id);
  if (query.isPending) return (<><Back /><PageHeader title="Privacy request" /><InlineLoader label="Loading the request…" /></>);
  if (query.isError) {
    return (
      <>
        <Back />
        <PageHeader title="Privacy request" />
        {isApiError(query.error, 404) ? <Card><Text>There is no privacy request at this address.</Text></Card> : <RetryAlert title="The request could not be loaded" error={query.error} onRetry={() => void query.refetch()} />}
      </>
    );
  }
  const { request: r, trail } = query.data;
  return (
    <>
      <Back />
      <PageHeader title={`${KIND_LABELS[r.kind]} request`} description={r.requester ?? undefined} actions={<StateBadge state={r.state} />} />
      <Stack gap="lg">
        <Card>
          <Stack>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Fact label="Source">{SOURCE_LABELS[r.source]}</Fact>
              <Fact label="Received"><DateCell iso={r.receivedAt} /></Fact>
              <Fact label="Due"><DueCell request={r} /></Fact>
              <Fact label="About">{r.subject ? `${r.subject.displayName} <${r.subject.email}> (${r.subject.status})` : (r.email ?? (r.metaOriginated ? 'A Facebook user (Meta data deletion callback)' : '—'))}</Fact>
              <Fact label="Filed by">{r.createdBy?.displayName ?? (r.source === 'public_form' ? 'The requester, through the public form' : r.metaOriginated ? 'Meta' : '—')}</Fact>
              <Fact label="Verified">{r.verifiedAt ? <>{humanise(r.verifiedHow ?? '')}{r.verifyReason ? `: ${r.verifyReason}` : ''}</> : 'Not yet'}</Fact>
              {r.extendedAt ? <Fact label="Extended">{r.extensionReason}</Fact> : null}
              {r.rejectionReason ? <Fact label="Rejected because">{r.rejectionReason}</Fact> : null}
              {r.confirmationCode ? <Fact label="Status page"><Anchor href={`/data-deletion/status/${r.confirmationCode}`} target="_blank" rel="noreferrer">Open the requester's status page</Anchor></Fact> : null}
            </SimpleGrid>
            {r.message ? <Fact label="Message from the requester">{r.message}</Fact> : null}
            {Object.keys(r.details).length ? <Fact label="Details">{Object.entries(r.details).map(([k, v]) => `${humanise(k)}: ${String(v)}`).join(' · ')}</Fact> : null}
            {r.personalErased ? <Text fz="sm" c="dimmed">The requester's email and message were erased after the proof-of-handling period.</Text> : null}
            {!r.verifiedAt && r.state !== 'cancelled' && r.state !== 'rejected' ? (
              <Alert color="yellow" variant="light">Not verified: nothing can be released or changed until the requester is verified.</Alert>
            ) : null}
            <Actions data={query.data} />
          </Stack>
        </Card>
        <Section title="Outcome">
          <OutcomeView outcome={r.outcome} />
        </Section>
        <Section title="History" description="Every change to this request, from the audit trail.">
          <ScrollTable label="Request history" minWidth={600}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">When</Table.Th>
                <Table.Th scope="col">What</Table.Th>
                <Table.Th scope="col">Who</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {trail.map((e, i) => (
                <Table.Tr key={i}>
                  <Table.Td><DateCell iso={e.at} /></Table.Td>
                  <Table.Td>{humanise(e.action.replace('privacy.', ''))}</Table.Td>
                  <Table.Td>{e.actor ?? humanise(e.actorType)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
        </Section>
      </Stack>
    </>
  );
}
