import { Alert, Button, Stack } from '@mantine/core';
import { errorMessage } from '../lib/api.js';

/** Something could not be loaded: what went wrong, and a button to ask again. */
export function RetryAlert({ title, error, onRetry }: { title: string; error: unknown; onRetry: () => void }) {
  return (
    <Alert color="red" variant="light" role="alert" title={title}>
      <Stack gap="xs" align="flex-start">
        <span>{errorMessage(error)}</span>
        <Button size="xs" variant="light" color="red" onClick={onRetry}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}
