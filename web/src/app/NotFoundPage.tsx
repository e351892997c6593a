import { Anchor, Card, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../components/PageHeader.js';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Card>
        <Text>
          There is nothing at this address.{' '}
          <Anchor component={Link} to="/">
            Go to the overview
          </Anchor>
          .
        </Text>
      </Card>
    </>
  );
}
