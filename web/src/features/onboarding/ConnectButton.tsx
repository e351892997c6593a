import { useId } from 'react';
import { Button, Stack, Text } from '@mantine/core';
import { IconPlus } from '../../components/icons.js';
import { useSession } from '../../lib/session.js';
import { goAfterStepUp } from '../account/two-factor/ensure-step-up.js';

/** Opens the server-rendered connect page (Embedded Signup); names the missing settings instead of hiding. */
export function ConnectButton() {
  const { environment } = useSession();
  const noteId = useId();
  const signup = environment?.embeddedSignup;
  const notReady = signup?.ready === false;
  const missing = signup?.missing ?? [];

  return (
    <Stack gap={4} align="flex-end">
      <Button
        leftSection={<IconPlus />}
        disabled={notReady}
        aria-describedby={notReady ? noteId : undefined}
        onClick={() => goAfterStepUp('/connect')}
      >
        Connect WhatsApp account
      </Button>
      {notReady ? (
        <Text id={noteId} fz="sm" c="dimmed" maw={340} ta="right" data-testid="connect-missing">
          Embedded Signup is not set up on this server
          {missing.length > 0 ? `: missing ${missing.join(', ')}.` : '.'}
        </Text>
      ) : null}
    </Stack>
  );
}
