import { useState } from 'react';
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RetryAlert } from '../../components/RetryAlert.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { formatDateTime } from '../../lib/format.js';
import { daysLeft, removeTwoFactor, startEnrolment, twoFactorQuery, type Enrolment } from './two-factor/api.js';
import { EnrolmentFlow } from './two-factor/EnrolmentFlow.js';
import { ProofForm } from './two-factor/ProofForm.js';

type Mode = 'view' | 'enrol' | 'reenrol-proof' | 'remove';

/** "Two-factor authentication": set up, set up on a new device, turn off; shows the policy's deadline. */
export function TwoFactorSection() {
  const queryClient = useQueryClient();
  const status = useQuery(twoFactorQuery);
  const [mode, setMode] = useState<Mode>('view');
  const [restarted, setRestarted] = useState<Enrolment | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: twoFactorQuery.queryKey });

  const reenrol = useMutation({ mutationFn: startEnrolment, onSuccess: setRestarted });
  const remove = useMutation({
    mutationFn: removeTwoFactor,
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Two-factor authentication turned off' });
      setMode('view');
      refresh();
    },
  });
  const finish = () => {
    setMode('view');
    setRestarted(null);
    reenrol.reset();
    refresh();
  };

  const description = 'A code from an authenticator app on your phone, asked for after your password.';
  if (status.isPending) return <Section title="Two-factor authentication" description={description}><InlineLoader /></Section>;
  if (status.isError) return <Section title="Two-factor authentication" description={description}><RetryAlert title="Could not load your two-factor settings" error={status.error} onRetry={() => void status.refetch()} /></Section>;
  const s = status.data;

  return (
    <Section title="Two-factor authentication" description={description}>
      <Stack gap="md">
        {s.required && !s.enrolled && s.graceEndsAt ? (
          <Alert color="yellow" variant="light" role="status">
            Two-factor authentication is required for your role. Set it up within {daysLeft(s.graceEndsAt)} day(s); after that you can only
            sign in to set it up.
          </Alert>
        ) : null}
        {s.recommended && !s.required ? (
          <Alert color="blue" variant="light" role="status">
            Recommended: owners and admins can change who has access and disconnect accounts. Protect your account with a second factor.
          </Alert>
        ) : null}

        {mode === 'enrol' || (mode === 'reenrol-proof' && restarted) ? (
          <EnrolmentFlow initial={restarted ?? undefined} onDone={finish} onCancel={finish} />
        ) : mode === 'reenrol-proof' ? (
          <ProofForm submitLabel="Continue" pending={reenrol.isPending} error={reenrol.error} onSubmit={(p) => reenrol.mutate(p)} onCancel={finish} />
        ) : mode === 'remove' ? (
          <ProofForm submitLabel="Turn off" danger pending={remove.isPending} error={remove.error} onSubmit={(p) => remove.mutate(p)} onCancel={() => setMode('view')} />
        ) : s.enrolled ? (
          <Stack gap="sm">
            <Text fz="sm" data-testid="two-factor-state">
              On since {s.enrolledAt ? formatDateTime(s.enrolledAt) : '—'}. {s.recoveryCodesLeft} of 10 recovery codes left.
            </Text>
            <Group>
              <Button variant="default" onClick={() => setMode('reenrol-proof')}>
                Set up on a new device
              </Button>
              {s.required ? null : (
                <Button variant="default" color="red" onClick={() => setMode('remove')}>
                  Turn off
                </Button>
              )}
            </Group>
          </Stack>
        ) : (
          <Stack gap="sm">
            <Text fz="sm" data-testid="two-factor-state">
              Off.
            </Text>
            <Group>
              <Button onClick={() => setMode('enrol')}>Set up two-factor authentication</Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Section>
  );
}
