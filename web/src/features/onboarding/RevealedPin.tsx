import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/** The registration PIN, shown this once. */
export function RevealedPin({ pin }: { pin: string }) {
  return (
    <Stack gap="xs">
      <Text fz="sm" fw={600} id="revealed-pin-label">
        Registration PIN
      </Text>
      <Group gap="sm" wrap="nowrap">
        <Code block fz="xl" aria-labelledby="revealed-pin-label" data-testid="revealed-pin" style={{ letterSpacing: '0.3em', flex: 1 }}>
          {pin}
        </Code>
        <CopyButton value={pin} timeout={2000}>
          {({ copied, copy }) => (
            <Button variant={copied ? 'light' : 'default'} color={copied ? 'green' : undefined} onClick={copy}>
              {copied ? 'Copied' : 'Copy PIN'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Alert color="orange" variant="light" role="alert" title="Write it down now">
        This PIN is not shown again: the console erases it when the account is disconnected.
      </Alert>
    </Stack>
  );
}
