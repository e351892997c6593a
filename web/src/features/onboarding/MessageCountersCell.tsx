import { Group, Text } from '@mantine/core';
import type { MessageCounters } from './api.js';
import { MESSAGE_KINDS } from './meta-labels.js';

/** Counts of `messages` webhook events for one number (kinds never seen are left out, "None yet" when all are 0). */
export function MessageCountersCell({ counters, number }: { counters: MessageCounters; number: string }) {
  const seen = MESSAGE_KINDS.filter(({ kind }) => counters[kind] > 0);
  if (seen.length === 0) {
    return (
      <Text fz="sm" c="dimmed">
        None yet
      </Text>
    );
  }
  return (
    <Group component="ul" gap={8} wrap="wrap" aria-label={`Message events for ${number}`} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {seen.map(({ kind, label }) => (
        <li key={kind} data-message-kind={kind}>
          <Text component="span" fz="sm">
            {label} <strong>{counters[kind].toLocaleString()}</strong>
          </Text>
        </li>
      ))}
    </Group>
  );
}
