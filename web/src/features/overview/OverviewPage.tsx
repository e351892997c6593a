import { Card, Group, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { useSession } from '../../lib/session.js';
import { useUrlState } from '../../lib/use-url-state.js';
import { useOverview, viewerTimeZone, type PeriodChoice } from './api.js';
import { PrivacyPanel, SignInPanel, WebhooksPanel } from './ActivityPanels.js';
import { AccountsPanel, OnboardingPanel } from './OnboardingPanels.js';
import { isComplete, readOverviewParams, writeOverviewParams } from './overview-params.js';

const PERIODS = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: 'custom', label: 'Custom' },
];

/** The home page: onboarding, accounts, sign-ins, webhooks and privacy at a glance, as far as the role may see. */
export function OverviewPage() {
  const { user } = useSession();
  const [params, setParams] = useUrlState(readOverviewParams, writeOverviewParams);
  const tz = viewerTimeZone();
  const overview = useOverview({ ...params, tz }, isComplete(params));
  const data = overview.data;

  return (
    <>
      <PageHeader title="Overview" description={`Welcome, ${user.displayName}. Times are in your time zone (${tz}).`} />
      <Stack gap="lg">
        <Card>
          <Group gap="md" align="flex-end" wrap="wrap">
            <Stack gap={4}>
              <Text fz="sm" fw={500} id="period-label">
                Period
              </Text>
              <SegmentedControl aria-labelledby="period-label" value={params.period} onChange={(v) => setParams({ ...params, period: v as PeriodChoice })} data={PERIODS} />
            </Stack>
            {params.period === 'custom' ? (
              <>
                <TextInput type="date" label="First day" value={params.from} max={params.to || undefined} onChange={(e) => setParams({ ...params, from: e.currentTarget.value })} />
                <TextInput
                  type="date"
                  label="Last day"
                  value={params.to}
                  min={params.from || undefined}
                  onChange={(e) => setParams({ ...params, to: e.currentTarget.value })}
                  error={params.from && params.to && params.to < params.from ? 'The last day is before the first day' : undefined}
                />
              </>
            ) : null}
            {data ? (
              <Text fz="sm" c="dimmed" role="status">
                {data.period.fromDay} to {data.period.toDay}
              </Text>
            ) : null}
          </Group>
        </Card>
        {!isComplete(params) ? (
          <Text c="dimmed">Choose the first and last day of the period.</Text>
        ) : overview.isPending ? (
          <InlineLoader label="Loading the overview…" />
        ) : overview.isError && !data ? (
          <RetryAlert title="The overview could not be loaded" error={overview.error} onRetry={() => void overview.refetch()} />
        ) : data ? (
          <Stack gap="lg" aria-busy={overview.isFetching}>
            {data.onboarding ? <OnboardingPanel data={data.onboarding} source={params.source} onSource={(source) => setParams({ ...params, source })} /> : null}
            {data.accounts ? <AccountsPanel data={data.accounts} /> : null}
            {data.signIns ? <SignInPanel data={data.signIns} fromDay={data.period.fromDay} toDay={data.period.toDay} /> : null}
            {data.webhooks ? <WebhooksPanel data={data.webhooks} /> : null}
            {data.privacy ? <PrivacyPanel data={data.privacy} /> : null}
          </Stack>
        ) : null}
      </Stack>
    </>
  );
}
