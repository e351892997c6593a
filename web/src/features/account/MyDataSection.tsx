import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { errorMessage, isApiError } from '../../lib/api.js';
import { exportUrl, useCancelOwn, useFileOwn, useMyRequests, type PrivacyRequest, type RequestKind } from '../privacy/api.js';
import { KIND_LABELS } from '../privacy/labels.js';
import { OutcomeView, StateBadge } from '../privacy/RequestBadges.js';

const ASK: Record<RequestKind, { title: string; text: string; confirm: string }> = {
  access: { title: 'Get a copy of my data', text: 'A copy of everything held about you (JSON, with a short summary) is prepared at once; download it from the list below.', confirm: 'Prepare my copy' },
  correction: { title: 'Correct my data', text: 'A new name is applied at once. A new email is confirmed through a link mailed to it. Anything else is corrected by an administrator.', confirm: 'Ask for the correction' },
  deletion: {
    title: 'Delete my account',
    text: 'An owner or administrator carries out the deletion within one month. Your account is then removed and your personal data erased, except what must be kept (you will see what and why).',
    confirm: 'Ask for deletion',
  },
};

function RequestRow({ r }: { r: PrivacyRequest }) {
  const cancel = useCancelOwn();
  const open = r.state === 'received' || r.state === 'verifying' || r.state === 'in_progress';
  return (
    <Table.Tr data-request-id={r.id}>
      <Table.Td>{KIND_LABELS[r.kind]}</Table.Td>
      <Table.Td><DateCell iso={r.receivedAt} /></Table.Td>
      <Table.Td><StateBadge state={r.state} /></Table.Td>
      <Table.Td>
        {r.rejectionReason ? <Text fz="sm">{r.rejectionReason}</Text> : <OutcomeView outcome={r.outcome} />}
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          {r.kind === 'access' && r.state === 'completed' ? (
            <>
              <Button size="xs" component="a" href={exportUrl(r.id, 'self')} download>
                Download my data
              </Button>
              <Button size="xs" variant="subtle" component="a" href={exportUrl(r.id, 'self', 'text')} download>
                Summary
              </Button>
            </>
          ) : null}
          {open ? (
            <Button size="xs" variant="default" loading={cancel.isPending} onClick={() => cancel.mutate(r.id, { onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }) })}>
              Cancel
            </Button>
          ) : null}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** "My data": ask for a copy, a correction or the deletion of my data, and follow those requests. */
export function MyDataSection() {
  const mine = useMyRequests();
  const file = useFileOwn();
  const [asking, setAsking] = useState<RequestKind | null>(null);
  const [message, setMessage] = useState('');
  const [newName, setNewName] = useState('');
  const [newEmail, setNewEmail] = useState('');
  const [other, setOther] = useState('');
  const start = (kind: RequestKind) => {
    file.reset();
    setMessage('');
    setNewName('');
    setNewEmail('');
    setOther('');
    setAsking(kind);
  };
  const fieldError = (path: string) => (isApiError(file.error, 400) ? file.error.errors.find((e) => e.path === path)?.message : undefined);
  const submit = () => {
    if (!asking) return;
    const correction = asking === 'correction' ? { ...(newName ? { displayName: newName } : {}), ...(newEmail ? { email: newEmail } : {}), ...(other ? { other } : {}) } : undefined;
    file.mutate(
      { kind: asking, ...(message ? { message } : {}), ...(correction ? { correction } : {}) },
      {
        onSuccess: ({ request }) => {
          setAsking(null);
          notifications.show({ color: 'green', message: request.state === 'completed' ? 'Done: see the list below.' : 'Request sent: you can follow it below.' });
        },
      },
    );
  };
  const items = mine.data?.items ?? [];
  const text = asking ? ASK[asking] : null;

  return (
    <Section
      title="My data"
      description="Get a copy of the data held about you, have it corrected, or have your account deleted."
      actions={
        <Group gap="xs">
          <Button variant="default" onClick={() => start('access')}>Get a copy of my data</Button>
          <Button variant="default" onClick={() => start('correction')}>Correct my data</Button>
          <Button variant="default" color="red" onClick={() => start('deletion')}>Delete my account</Button>
        </Group>
      }
    >
      {mine.isPending ? (
        <InlineLoader label="Loading your requests…" />
      ) : mine.isError ? (
        <RetryAlert title="Your requests could not be loaded" error={mine.error} onRetry={() => void mine.refetch()} />
      ) : items.length === 0 ? (
        <Text c="dimmed" fz="sm" role="status">You have made no requests about your data.</Text>
      ) : (
        <ScrollTable label="My data requests" minWidth={760}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Request</Table.Th>
              <Table.Th scope="col">Made</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
              <Table.Th scope="col">Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{items.map((r) => <RequestRow key={r.id} r={r} />)}</Table.Tbody>
        </ScrollTable>
      )}
      <Modal opened={asking !== null} onClose={() => setAsking(null)} title={text?.title ?? ''}>
        <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
          <Stack>
            <Text fz="sm">{text?.text}</Text>
            {file.isError && !(isApiError(file.error, 400) && file.error.errors.length > 0) ? (
              <Alert color="red" variant="light" role="alert">{errorMessage(file.error)}</Alert>
            ) : null}
            {asking === 'correction' ? (
              <>
                <TextInput label="New display name" value={newName} onChange={(e) => setNewName(e.currentTarget.value)} error={fieldError('correction.displayName')} />
                <TextInput label="New email" type="email" value={newEmail} onChange={(e) => setNewEmail(e.currentTarget.value)} error={fieldError('correction.email')} />
                <Textarea label="Anything else to correct" value={other} onChange={(e) => setOther(e.currentTarget.value)} error={fieldError('correction') ?? fieldError('correction.other')} />
              </>
            ) : null}
            <Textarea label="Message (optional)" value={message} onChange={(e) => setMessage(e.currentTarget.value)} error={fieldError('message')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAsking(null)}>Back</Button>
              <Button type="submit" loading={file.isPending} color={asking === 'deletion' ? 'red' : undefined}>{text?.confirm}</Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Section>
  );
}
