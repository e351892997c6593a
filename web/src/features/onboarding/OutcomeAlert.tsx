import { Alert, Group, Text } from '@mantine/core';
import type { Outcome } from './api.js';
import { stateColor } from './labels.js';
import { StateBadge } from './StateBadge.js';

/** What an action ended with: the record's state now, and the reason when there is one. */
export function OutcomeAlert({ title, outcome, onClose }: { title: string; outcome: Outcome; onClose: () => void }) {
  const color = outcome.state === 'connected' ? 'green' : stateColor(outcome.state);
  return (
    <Alert color={color} variant="light" role="status" title={title} withCloseButton closeButtonLabel="Dismiss" onClose={onClose} mb="md">
      <Group gap={6} wrap="wrap">
        <Text fz="sm">State now:</Text>
        <StateBadge state={outcome.state} />
        {outcome.reason ? <Text fz="sm">— {outcome.reason}</Text> : null}
      </Group>
    </Alert>
  );
}
