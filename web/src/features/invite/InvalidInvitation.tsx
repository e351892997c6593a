import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';

export function InvalidInvitation() {
  return (
    <>
      <Text role="alert" fw={600}>
        This invitation link is invalid or expired.
      </Text>
      <Text c="dimmed" fz="sm" mt="xs">
        Invitation links work for 7 days, and only the newest one sent to you. Ask the person who invited you to resend the
        invitation. If you have already accepted it,{' '}
        <Anchor component={Link} to="/sign-in">
          sign in
        </Anchor>
        .
      </Text>
    </>
  );
}
