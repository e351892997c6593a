import { Alert, Code, Text } from '@mantine/core';
import type { MetaError } from './api.js';

/** Meta's last error for the record, with the identifiers Meta support asks for. */
export function MetaErrorAlert({ error }: { error: MetaError }) {
  return (
    <Alert color="red" variant="light" role="alert" title="Meta returned an error">
      <Text fz="sm" mb={6}>
        {error.message ?? 'Meta gave no message.'}
      </Text>
      <Text fz="xs" c="dimmed">
        Code <Code>{error.code ?? '—'}</Code> · Subcode <Code>{error.subcode ?? '—'}</Code> · fbtrace_id{' '}
        <Code>{error.fbtraceId ?? '—'}</Code>
      </Text>
    </Alert>
  );
}
