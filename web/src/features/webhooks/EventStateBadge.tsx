import { Badge } from '@mantine/core';
import { stateColor, stateLabel } from './labels.js';

/** A webhook event's processing state in words, its colour a second cue only. */
export function EventStateBadge({ state }: { state: string }) {
  return (
    <Badge component="span" color={stateColor(state)} data-state={state} style={{ flexShrink: 0, minWidth: 'max-content' }}>
      {stateLabel(state)}
    </Badge>
  );
}
