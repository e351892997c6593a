import { Alert, Anchor, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { daysLeft, twoFactorQuery } from './api.js';

/** On every signed-in page while 2FA is required for the user's role and not set up: the days left. */
export function TwoFactorGraceBanner() {
  const { data } = useQuery(twoFactorQuery);
  if (!data || !data.required || data.enrolled || !data.graceEndsAt) return null;
  const days = daysLeft(data.graceEndsAt);
  return (
    <Alert color="orange" variant="light" role="status" py={6} mb="md" data-testid="two-factor-grace-banner">
      <Text fz="sm" fw={500}>
        Two-factor authentication is required for your role: {days} {days === 1 ? 'day' : 'days'} left to set it up.{' '}
        <Anchor component={Link} to="/account" fz="sm">
          Set it up now
        </Anchor>
      </Text>
    </Alert>
  );
}
