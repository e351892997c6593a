import { Alert, Text } from '@mantine/core';

/** Shown on every signed-in page while Meta is simulated (META_APP_ID unset): nothing real is touched. */
export function SandboxBanner() {
  return (
    <Alert color="yellow" variant="light" role="status" py={6} mb="md" data-testid="sandbox-banner">
      <Text fz="sm" fw={500}>
        Sandbox mode: Meta is simulated; no real WhatsApp account is touched.
      </Text>
    </Alert>
  );
}
