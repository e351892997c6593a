import { Alert, Card, Text } from '@mantine/core';
import { LoadMore } from '../../components/LoadMore.js';
import { LoginActivityTable } from '../../components/LoginActivityTable.js';
import { PageHeader } from '../../components/PageHeader.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useUrlState } from '../../lib/use-url-state.js';
import { useLoginActivity } from './api.js';
import { hasActivityFilters, readActivityParams, toApiFilters, writeActivityParams, type ActivityParams } from './activity-params.js';
import { ActivityFilterBar } from './ActivityFilterBar.js';
import { LoginUserCell } from './LoginUserCell.js';
import { reasonLabel } from './labels.js';

/** Every sign-in attempt to the console, newest first. */
export function ActivityPage() {
  const [values, setValues] = useUrlState<ActivityParams>(readActivityParams, writeActivityParams);
  const activity = useLoginActivity(toApiFilters(values));
  const items = activity.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader title="Sign-in activity" description="Every attempt to sign in to the console, successful or not, newest first." />
      <Card>
        <ActivityFilterBar values={values} onChange={setValues} />
        {activity.isPending ? (
          <InlineLoader label="Loading sign-in activity…" />
        ) : activity.isError && items.length === 0 ? (
          <Alert color="red" variant="light" role="alert" title="The sign-in activity could not be loaded">
            {errorMessage(activity.error)}
          </Alert>
        ) : items.length === 0 ? (
          <Text c="dimmed" py="lg" ta="center" role="status">
            {hasActivityFilters(values) ? 'No sign-in attempts match these filters.' : 'No sign-in attempts recorded yet.'}
          </Text>
        ) : (
          <>
            <LoginActivityTable
              items={items}
              reasonLabel={reasonLabel}
              userCell={(entry) => <LoginUserCell entry={entry} />}
              busy={activity.isPlaceholderData && activity.isFetching}
            />
            <LoadMore query={activity} />
          </>
        )}
      </Card>
    </>
  );
}
