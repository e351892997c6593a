import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';

export function InvalidResetLink() {
  return (
    <>
      <Text role="alert" fw={600}>
        This password reset link is invalid or expired.
      </Text>
      <Text c="dimmed" fz="sm" mt="xs">
        Reset links work for one hour and only once.{' '}
        <Anchor component={Link} to="/forgot-password">
          Request a new link
        </Anchor>{' '}
        or{' '}
        <Anchor component={Link} to="/sign-in">
          sign in
        </Anchor>
        .
      </Text>
    </>
  );
}
