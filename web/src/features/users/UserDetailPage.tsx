import { Anchor, Card, Group, Stack, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { isApiError } from '../../lib/api.js';
import { useSession } from '../../lib/session.js';
import { useUser } from './api.js';
import { UserActions } from './UserActions.js';
import { UserActivitySection } from './UserActivitySection.js';
import { UserProfile } from './UserProfile.js';
import { UserSessionsSection } from './UserSessionsSection.js';

function BackToUsers() {
  return (
    <Anchor component={Link} to="/users" fz="sm" mb="xs" display="inline-block">
      <span aria-hidden="true">← </span>
      All users
    </Anchor>
  );
}

export function UserDetailPage() {
  const { id = '' } = useParams();
  const { user: me } = useSession();
  const query = useUser(id, id !== '');

  if (query.isPending) {
    return (
      <>
        <BackToUsers />
        <PageHeader title="User" />
        <InlineLoader label="Loading the user…" />
      </>
    );
  }

  if (query.isError) {
    const notFound = isApiError(query.error, 404);
    return (
      <>
        <BackToUsers />
        <PageHeader title={notFound ? 'User not found' : 'User'} />
        {notFound ? (
          <Card>
            <Text>There is no user at this address. They may have been deleted, like a revoked invitation.</Text>
          </Card>
        ) : (
          <RetryAlert title="The user could not be loaded" error={query.error} onRetry={() => void query.refetch()} />
        )}
      </>
    );
  }

  const { user } = query.data;
  return (
    <>
      <BackToUsers />
      <PageHeader
        title={user.displayName}
        description={
          <Group gap={6} component="span">
            <span>{user.email}</span>
            {user.id === me.id ? <span>· This is you</span> : null}
          </Group>
        }
      />
      <Stack gap="lg">
        <UserProfile user={user} />
        <UserActions user={user} />
        {user.abilities.viewActivity ? (
          <>
            <UserSessionsSection userId={user.id} />
            <UserActivitySection userId={user.id} />
          </>
        ) : null}
      </Stack>
    </>
  );
}
