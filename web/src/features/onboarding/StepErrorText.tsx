import { Text } from '@mantine/core';

/** A step's Meta error in one compact cell: message, then code / subcode / fbtrace_id. */
export function StepErrorText({ error }: { error: unknown }) {
  if (error === null || error === undefined) return <>—</>;
  if (typeof error === 'string') return <Text fz="sm">{error}</Text>;
  const { code, subcode, message, fbtraceId } = error as { code?: unknown; subcode?: unknown; message?: unknown; fbtraceId?: unknown };
  const ids = [
    code !== null && code !== undefined ? `code ${String(code)}` : null,
    subcode !== null && subcode !== undefined ? `subcode ${String(subcode)}` : null,
    typeof fbtraceId === 'string' ? `fbtrace_id ${fbtraceId}` : null,
  ].filter(Boolean);
  return (
    <>
      <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
        {typeof message === 'string' ? message : 'Error'}
      </Text>
      {ids.length > 0 ? (
        <Text fz="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {ids.join(' · ')}
        </Text>
      ) : null}
    </>
  );
}
