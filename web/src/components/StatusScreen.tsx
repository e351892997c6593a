import type { ReactNode } from 'react';
import { Button, Center, Loader, Paper, Stack, Text, Title, VisuallyHidden } from '@mantine/core';

/** Full-page loading indicator, announced to screen readers. */
export function LoadingScreen({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center component="main" mih="100dvh">
      <div role="status">
        <Loader size="md" />
        <VisuallyHidden>{label}</VisuallyHidden>
      </div>
    </Center>
  );
}

/** Inline loading indicator for a region of a page. */
export function InlineLoader({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status">
      <Loader size="sm" />
      <VisuallyHidden>{label}</VisuallyHidden>
    </Center>
  );
}

/** Full-page message, e.g. when the server cannot be reached. */
export function MessageScreen({ title, children, onRetry }: { title: string; children: ReactNode; onRetry?: () => void }) {
  return (
    <Center component="main" mih="100dvh" p="md">
      <Paper withBorder radius="md" p="xl" maw={460} w="100%">
        <Stack gap="sm">
          <Title order={1} fz="h3">
            {title}
          </Title>
          <Text c="dimmed">{children}</Text>
          {onRetry ? (
            <Button onClick={onRetry} variant="light" w="fit-content">
              Try again
            </Button>
          ) : null}
        </Stack>
      </Paper>
    </Center>
  );
}
