import { Button } from '@mantine/core';
import type { WebhookEvent } from './api.js';

/** "Reprocess" for one failed event; the table owns the request so one error shows above it. */
export function ReprocessButton({ event, busy, disabled, onReprocess }: { event: WebhookEvent; busy: boolean; disabled: boolean; onReprocess: (id: WebhookEvent['id']) => void }) {
  return (
    <Button
      size="xs"
      variant="light"
      onClick={() => onReprocess(event.id)}
      loading={busy}
      disabled={disabled}
      aria-label={`Reprocess ${event.field} event ${event.id}`}
    >
      Reprocess
    </Button>
  );
}
