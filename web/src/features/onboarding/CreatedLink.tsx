import { Alert, Button, CopyButton, Group, Stack, TextInput } from '@mantine/core';
import type { OnboardingLink } from './api.js';

/** The new link's address, shown once: the server keeps only its hash. */
export function CreatedLink({ link, url, onDone }: { link: OnboardingLink; url: string; onDone: () => void }) {
  return (
    <Stack gap="md">
      <Alert color="orange" variant="light" role="alert" title={`Link for ${link.label} created`}>
        Copy it now: it is not shown again. Send it to the customer; it works once, until it expires.
      </Alert>
      <Group gap="sm" align="flex-end" wrap="nowrap">
        <TextInput
          label="Link address"
          value={url}
          readOnly
          data-autofocus
          onFocus={(event) => event.currentTarget.select()}
          style={{ flex: 1 }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <CopyButton value={url} timeout={2000}>
          {({ copied, copy }) => (
            <Button variant={copied ? 'light' : 'default'} color={copied ? 'green' : undefined} onClick={copy}>
              {copied ? 'Copied' : 'Copy link'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Group justify="flex-end">
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}
