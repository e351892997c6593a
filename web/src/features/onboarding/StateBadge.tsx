import { Badge } from '@mantine/core';
import { stateColor, stateLabel } from './labels.js';

/** A record's state in words ("Action required"), its colour a second cue only. */
export function StateBadge({ state, size }: { state: string; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge component="span" color={stateColor(state)} size={size} data-state={state} style={{ flexShrink: 0, minWidth: 'max-content' }}>
      {stateLabel(state)}
    </Badge>
  );
}
