import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { LoginActivityEntry } from './api.js';

/** Who tried to sign in: a link to the user, or the email typed in when no account matched. */
export function LoginUserCell({ entry }: { entry: LoginActivityEntry }) {
  if (entry.userId) {
    return (
      <Anchor component={Link} to={`/users/${encodeURIComponent(entry.userId)}`} fz="sm">
        {entry.userDisplayName ?? entry.userEmail ?? 'Unknown user'}
      </Anchor>
    );
  }
  return (
    <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
      {entry.attemptedEmail ?? '—'}{' '}
      <Text span fz="xs" c="dimmed">
        (no account)
      </Text>
    </Text>
  );
}
