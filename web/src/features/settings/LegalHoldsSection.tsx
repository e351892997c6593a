import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Group, Modal, SegmentedControl, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link } from 'react-router';
import { DateCell } from '../../components/DateCell.js';
import { LoadMore } from '../../components/LoadMore.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { splitServerErrors } from '../../lib/form-errors.js';
import { UserPicker } from '../users/UserPicker.js';
import { useHolds, useLiftHold, usePlaceHold, type HoldSubjectType, type LegalHold } from './api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const subjectPath = (h: Pick<LegalHold, 'subjectType' | 'subjectId'>) => (h.subjectType === 'user' ? `/users/${h.subjectId}` : `/onboarding/${h.subjectId}`);

/** Place a hold on a user (picked from the users list) or an onboarding record (by id). */
function PlaceHoldForm({ onDone }: { onDone: () => void }) {
  const place = usePlaceHold();
  const [subjectType, setSubjectType] = useState<HoldSubjectType>('user');
  const [userId, setUserId] = useState('');
  const [recordId, setRecordId] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ subjectId?: string; reason?: string; subjectType?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const subjectId = subjectType === 'user' ? userId : recordId.trim();
    const local: typeof errors = {};
    if (!subjectId) local.subjectId = subjectType === 'user' ? 'Choose a user' : 'Enter the onboarding record id';
    else if (!UUID.test(subjectId)) local.subjectId = 'Enter a record id such as 2f1c…-… (from the WhatsApp account page address)';
    if (reason.trim().length < 3) local.reason = 'Give the reason (at least 3 characters)';
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) return;
    place.mutate(
      { subjectType, subjectId, reason: reason.trim() },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', message: 'Legal hold placed' });
          onDone();
        },
        onError: (error) => {
          const split = splitServerErrors(error, ['subjectId', 'reason', 'subjectType'] as const);
          setErrors(split.fieldErrors);
          setFormError(split.formError);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Place a legal hold">
      <Stack gap="md">
        {formError ? (
          <Alert color="red" variant="light" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Select
          label="Hold on"
          data={[
            { value: 'user', label: 'A user' },
            { value: 'onboarding', label: 'An onboarding record (WhatsApp account)' },
          ]}
          value={subjectType}
          allowDeselect={false}
          onChange={(v) => {
            setSubjectType((v as HoldSubjectType | null) ?? 'user');
            setErrors({});
          }}
          error={errors.subjectType}
        />
        {subjectType === 'user' ? (
          <Stack gap={4}>
            <UserPicker value={userId} onChange={(id) => { setUserId(id); setErrors((e) => ({ ...e, subjectId: undefined })); }} />
            {errors.subjectId ? (
              <Text c="red" fz="sm" role="alert">
                {errors.subjectId}
              </Text>
            ) : null}
          </Stack>
        ) : (
          <TextInput
            label="Onboarding record id"
            description="The id in the address of the WhatsApp account's page (/onboarding/…)"
            value={recordId}
            onChange={(e) => {
              setRecordId(e.currentTarget.value);
              setErrors((x) => ({ ...x, subjectId: undefined }));
            }}
            error={errors.subjectId}
            required
          />
        )}
        <Textarea
          label="Reason"
          description="Why the data must be kept (case, authority, reference). Kept with the hold; not in the audit log."
          value={reason}
          onChange={(e) => {
            setReason(e.currentTarget.value);
            setErrors((x) => ({ ...x, reason: undefined }));
          }}
          error={errors.reason}
          required
          autosize
          minRows={2}
          maxLength={500}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={place.isPending}>
            Place hold
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Lift one hold, with the reason. */
function LiftHoldForm({ hold, onDone }: { hold: LegalHold; onDone: () => void }) {
  const lift = useLiftHold();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (reason.trim().length < 3) {
      setError('Give the reason (at least 3 characters)');
      return;
    }
    lift.mutate(
      { id: hold.id, reason: reason.trim() },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', message: 'Legal hold lifted' });
          onDone();
        },
        onError: (err) => {
          const split = splitServerErrors(err, ['reason'] as const);
          setError(split.fieldErrors.reason ?? null);
          setFormError(split.formError);
        },
      },
    );
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Lift the legal hold">
      <Stack gap="md">
        <Text fz="sm">
          The next purge may then delete what the hold kept on {hold.subjectLabel ?? hold.subjectId}.
        </Text>
        {formError ? (
          <Alert color="red" variant="light" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Textarea
          label="Reason for lifting"
          value={reason}
          onChange={(e) => {
            setReason(e.currentTarget.value);
            setError(null);
          }}
          error={error}
          required
          autosize
          minRows={2}
          maxLength={500}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" color="red" loading={lift.isPending}>
            Lift hold
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Legal holds: the list (active or all), placing and lifting. */
export function LegalHoldsSection() {
  const [status, setStatus] = useState<'active' | 'all'>('active');
  const [placing, setPlacing] = useState(false);
  const [lifting, setLifting] = useState<LegalHold | null>(null);
  const list = useHolds(status);
  const holds = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Section
      title="Legal holds"
      description="While a hold is active, purges and deletion requests keep the data of the user or onboarding record it names."
      actions={<Button onClick={() => setPlacing(true)}>Place a legal hold</Button>}
    >
      <Group mb="md">
        <SegmentedControl
          aria-label="Which holds"
          value={status}
          onChange={(v) => setStatus(v as 'active' | 'all')}
          data={[
            { value: 'active', label: 'Active' },
            { value: 'all', label: 'All, with lifted' },
          ]}
        />
      </Group>
      {list.isPending ? (
        <InlineLoader label="Loading legal holds…" />
      ) : list.isError && holds.length === 0 ? (
        <RetryAlert title="The legal holds could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : holds.length === 0 ? (
        <Text c="dimmed" py="md" ta="center" role="status">
          {status === 'active' ? 'No active legal holds.' : 'No legal holds yet.'}
        </Text>
      ) : (
        <>
          <ScrollTable label="Legal holds" minWidth={760} busy={list.isPlaceholderData && list.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>Placed</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {holds.map((h) => (
                <Table.Tr key={h.id}>
                  <Table.Td>
                    <Text fz="sm" fw={500}>
                      <Link to={subjectPath(h)}>{h.subjectLabel ?? h.subjectId}</Link>
                    </Text>
                    <Text fz="xs" c="dimmed">
                      {h.subjectType === 'user' ? 'User' : 'Onboarding record'}
                    </Text>
                  </Table.Td>
                  <Table.Td maw={320}>
                    <Text fz="sm">{h.reason}</Text>
                    {h.liftReason ? (
                      <Text fz="xs" c="dimmed">
                        Lifted: {h.liftReason}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <DateCell iso={h.placedAt} />
                  </Table.Td>
                  <Table.Td>
                    {h.liftedAt ? (
                      <Badge color="gray" variant="light">
                        Lifted <DateCell iso={h.liftedAt} />
                      </Badge>
                    ) : (
                      <Badge color="orange" variant="light">
                        Active
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {h.liftedAt ? null : (
                      <Button size="xs" variant="light" color="red" onClick={() => setLifting(h)} aria-label={`Lift the hold on ${h.subjectLabel ?? h.subjectId}`}>
                        Lift
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
          <LoadMore query={list} />
        </>
      )}
      <Modal opened={placing} onClose={() => setPlacing(false)} title="Place a legal hold" size="lg">
        {placing ? <PlaceHoldForm onDone={() => setPlacing(false)} /> : null}
      </Modal>
      <Modal opened={lifting !== null} onClose={() => setLifting(null)} title="Lift the legal hold">
        {lifting ? <LiftHoldForm hold={lifting} onDone={() => setLifting(null)} /> : null}
      </Modal>
    </Section>
  );
}
