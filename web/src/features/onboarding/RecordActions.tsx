import { useState } from 'react';
import { Alert, Button, Group } from '@mantine/core';
import { Section } from '../../components/Section.js';
import { errorMessage } from '../../lib/api.js';
import { useSession } from '../../lib/session.js';
import { goAfterStepUp } from '../account/two-factor/ensure-step-up.js';
import { useRecordAction, useRefreshOnboarding, type Outcome, type RecordDetail } from './api.js';
import { DisconnectModal } from './DisconnectModal.js';
import { OutcomeAlert } from './OutcomeAlert.js';
import { PinModal } from './PinModal.js';
import { offeredActions, reconnectUrl } from './record-actions.js';

type Dialog = 'pin' | 'disconnect' | null;

const DONE_TITLES = { retry: 'Retry finished', refresh: 'Refresh finished', pin: 'PIN submitted', disconnect: 'Disconnected' } as const;

/** The actions the record's state and the caller's abilities allow (docs/API-v1-onboarding.md, "What a UI offers"). */
export function RecordActions({ record }: { record: RecordDetail }) {
  const { can } = useSession();
  const refresh = useRefreshOnboarding();
  const mutation = useRecordAction(record.id);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [done, setDone] = useState<{ title: string; outcome: Outcome } | null>(null);
  const offered = offeredActions(record, can);

  if (offered.length === 0 && done === null) return null;

  const run = (action: 'retry' | 'refresh') => {
    setDone(null);
    mutation.mutate(
      { action },
      {
        onSuccess: (outcome) => setDone({ title: DONE_TITLES[action], outcome }),
        onSettled: () => refresh(),
      },
    );
  };
  const finished = (title: string) => (outcome: Outcome) => setDone({ title, outcome });
  const busy = (action: 'retry' | 'refresh') => mutation.isPending && mutation.variables?.action === action;
  const failed = mutation.isError ? (mutation.variables?.action === 'refresh' ? 'Refresh failed' : 'Retry failed') : null;

  return (
    <Section title="Actions" description="What you can do for this account now.">
      {done ? <OutcomeAlert title={done.title} outcome={done.outcome} onClose={() => setDone(null)} /> : null}
      {failed ? (
        <Alert color="red" variant="light" role="alert" title={failed} mb="md" withCloseButton closeButtonLabel="Dismiss" onClose={() => mutation.reset()}>
          {errorMessage(mutation.error)}
        </Alert>
      ) : null}
      <Group gap="sm" wrap="wrap">
        {offered.includes('retry') ? (
          <Button onClick={() => run('retry')} loading={busy('retry')} disabled={mutation.isPending && !busy('retry')}>
            Retry
          </Button>
        ) : null}
        {offered.includes('enterPin') ? <Button onClick={() => setDialog('pin')}>Enter PIN</Button> : null}
        {offered.includes('refresh') ? (
          <Button variant="default" onClick={() => run('refresh')} loading={busy('refresh')} disabled={mutation.isPending && !busy('refresh')}>
            Refresh
          </Button>
        ) : null}
        {offered.includes('reconnect') ? (
          <Button variant="default" onClick={() => goAfterStepUp(reconnectUrl(record.id))}>
            Reconnect
          </Button>
        ) : null}
        {offered.includes('disconnect') ? (
          <Button variant="light" color="red" onClick={() => setDialog('disconnect')}>
            Disconnect
          </Button>
        ) : null}
      </Group>
      <PinModal recordId={record.id} opened={dialog === 'pin'} onClose={() => setDialog(null)} onDone={finished(DONE_TITLES.pin)} />
      {offered.includes('disconnect') || dialog === 'disconnect' ? (
        <DisconnectModal record={record} opened={dialog === 'disconnect'} onClose={() => setDialog(null)} onDone={finished(DONE_TITLES.disconnect)} />
      ) : null}
    </Section>
  );
}
