import { Badge } from '@mantine/core';
import type { LinkStatus } from './api.js';
import { LINK_STATUS_COLORS, LINK_STATUS_LABELS } from './labels.js';

export function LinkStatusBadge({ status }: { status: LinkStatus }) {
  return (
    <Badge color={LINK_STATUS_COLORS[status] ?? 'gray'} data-status={status} style={{ minWidth: 'max-content' }}>
      {LINK_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}
