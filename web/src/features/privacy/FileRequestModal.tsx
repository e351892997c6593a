import { useState } from 'react';
import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Stack, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from 'react-router';
import { errorMessage, isApiError } from '../../lib/api.js';
import { useFileOnBehalf, type RequestKind } from './api.js';
import { KIND_LABELS, KINDS } from './labels.js';

/** The field error the server named, if any. */
const fieldError = (error: unknown, path: string) => (isApiError(error, 400) ? error.errors.find((e) => e.path === path)?.message : undefined);

/** An owner or admin files a request for someone, by their login email; verified now (with a reason) or later. */
export function FileRequestModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const file = useFileOnBehalf();
  const [kind, setKind] = useState<RequestKind>('access');
  const [email, setEmail] = useState('');
  const [message, setMessage] = useState('');
  const [newName, setNewName] = useState('');
  const [newEmail, setNewEmail] = useState('');
  const [other, setOther] = useState('');
  const [verifyNow, setVerifyNow] = useState(false);
  const [reason, setReason] = useState('');

  const submit = () => {
    const correction = kind === 'correction' ? { ...(newName ? { displayName: newName } : {}), ...(newEmail ? { email: newEmail } : {}), ...(other ? { other } : {}) } : undefined;
    file.mutate(
      { kind, email, ...(message ? { message } : {}), ...(correction ? { correction } : {}), ...(verifyNow ? { verifyReason: reason } : {}) },
      {
        onSuccess: ({ request }) => {
          notifications.show({ color: 'green', message: 'Request filed' });
          onClose();
          void navigate(`/privacy-requests/${request.id}`);
        },
      },
    );
  };
  const generic = file.isError && !(isApiError(file.error, 400) && file.error.errors.length > 0);

  return (
    <Modal opened={opened} onClose={onClose} title="File a request for someone">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          {generic ? (
            <Alert color="red" variant="light" role="alert">
              {errorMessage(file.error)}
            </Alert>
          ) : null}
          <NativeSelect label="Kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as RequestKind)} data={KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))} />
          <TextInput label="Their login email" required type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(file.error, 'email') ?? fieldError(file.error, 'subjectUserId')} />
          <Textarea label="What they asked (optional)" value={message} onChange={(e) => setMessage(e.currentTarget.value)} error={fieldError(file.error, 'message')} />
          {kind === 'correction' ? (
            <>
              <TextInput label="New display name" value={newName} onChange={(e) => setNewName(e.currentTarget.value)} error={fieldError(file.error, 'correction.displayName')} />
              <TextInput label="New email (confirmed at the new address)" type="email" value={newEmail} onChange={(e) => setNewEmail(e.currentTarget.value)} error={fieldError(file.error, 'correction.email')} />
              <Textarea label="Other fields to correct" value={other} onChange={(e) => setOther(e.currentTarget.value)} error={fieldError(file.error, 'correction') ?? fieldError(file.error, 'correction.other')} />
            </>
          ) : null}
          <Checkbox label="I have verified who is asking" checked={verifyNow} onChange={(e) => setVerifyNow(e.currentTarget.checked)} />
          {verifyNow ? (
            <Textarea label="How you verified them" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(file.error, 'verifyReason')} />
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={file.isPending}>
              File request
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
