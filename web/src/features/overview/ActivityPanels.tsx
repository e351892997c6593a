import { Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Section } from '../../components/Section.js';
import { formatDateTime } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { STATE_LABELS as REQUEST_STATE_LABELS } from '../privacy/labels.js';
import type { RequestState } from '../privacy/api.js';
import { FAILURE_REASONS, reasonLabel } from '../users/labels.js';
import type { Overview } from './api.js';
import { AXIS, ChartFigure, colorVar, CountLink, seriesColor, TOOLTIP } from './ChartFigure.js';
import { bucketDay, bucketLabel, formatMs } from './format.js';

function StackedBars({ data, keys }: { data: Record<string, string | number | null>[]; keys: { key: string; label: string; color: string }[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ left: 0, right: 8 }} accessibilityLayer={false}>
        <CartesianGrid vertical={false} stroke={AXIS.stroke} />
        <XAxis dataKey="label" stroke={AXIS.stroke} tick={AXIS.tick} minTickGap={16} />
        <YAxis allowDecimals={false} stroke={AXIS.stroke} tick={AXIS.tick} width={40} />
        <Tooltip {...TOOLTIP} cursor={{ fill: 'var(--mantine-color-default-hover)' }} />
        <Legend wrapperStyle={{ fontSize: 12, color: 'var(--mantine-color-text)' }} />
        {keys.map((k) => (
          <Bar key={k.key} dataKey={k.key} name={k.label} stackId="a" fill={k.color} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

const activity = (q: Record<string, string>) => `/activity?${new URLSearchParams(q).toString()}`;
const reasonLink = (reason: string, from: string, to: string) =>
  (FAILURE_REASONS as readonly string[]).includes(reason) ? activity({ result: 'failure', reason, from, to }) : activity({ result: 'failure', from, to });

/** Sign-ins per day: successes and failures by reason, stacked, so an attack stands out. */
export function SignInPanel({ data, fromDay, toDay }: { data: NonNullable<Overview['signIns']>; fromDay: string; toDay: string }) {
  const reasons = Object.keys(data.totals).filter((k) => k !== 'success' && k !== 'new_device').sort();
  const keys = [
    { key: 'success', label: 'Succeeded', color: colorVar('green', 7) },
    ...reasons.map((r, i) => ({ key: r, label: reasonLabel(r), color: colorVar(['red', 'orange', 'grape', 'pink', 'yellow', 'violet'][i % 6]!, 6) })),
  ];
  const rows = data.series.map((s) => ({ bucket: s.bucket, label: bucketLabel(s.bucket), ...Object.fromEntries(keys.map((k) => [k.key, s.counts[k.key] ?? 0])), new_device: s.counts.new_device ?? 0 }));
  const failures = reasons.reduce((n, r) => n + (data.totals[r] ?? 0), 0);
  return (
    <Section title="Sign-in activity" description="Every sign-in attempt of the period, by day in your time zone.">
      <Stack gap="lg">
        <Group gap="xl">
          <Text fz="sm">
            Succeeded: <CountLink to={activity({ result: 'success', from: fromDay, to: toDay })}>{data.totals.success ?? 0}</CountLink>
          </Text>
          <Text fz="sm">
            Failed: <CountLink to={activity({ result: 'failure', from: fromDay, to: toDay })} color={failures > 0 ? 'red.8' : undefined}>{failures}</CountLink>
          </Text>
          <Text fz="sm">
            From a new browser: <CountLink to={activity({ result: 'success', from: fromDay, to: toDay })}>{data.totals.new_device ?? 0}</CountLink>
          </Text>
          <Text fz="sm">
            Accounts locked now: <CountLink to={activity({ result: 'failure', reason: 'locked' })} color={data.lockedAccounts > 0 ? 'red.8' : undefined}>{data.lockedAccounts}</CountLink>
          </Text>
        </Group>
        <ChartFigure
          title={data.bucket === 'day' ? 'Sign-ins per day' : 'Sign-ins per hour'}
          description="Successful sign-ins and failed attempts by reason, stacked. A new browser is an account's first success from that browser."
          rows={rows}
          rowKey={(r) => r.bucket}
          height={260}
          columns={[
            { key: 'bucket', label: data.bucket === 'day' ? 'Day' : 'Hour', value: (r) => r.label },
            ...keys.map((k) => ({
              key: k.key,
              label: k.label,
              numeric: true,
              value: (r: (typeof rows)[number]) => r[k.key as keyof typeof r] as number,
              to: (r: (typeof rows)[number]) => {
                const day = bucketDay(r.bucket);
                return k.key === 'success' ? activity({ result: 'success', from: day, to: day }) : reasonLink(k.key, day, day);
              },
            })),
            { key: 'new_device', label: 'New browser', numeric: true, value: (r) => r.new_device, to: (r) => activity({ result: 'success', from: bucketDay(r.bucket), to: bucketDay(r.bucket) }) },
          ]}
          chart={<StackedBars data={rows} keys={keys} />}
        />
      </Stack>
    </Section>
  );
}

const webhooks = (q: Record<string, string>) => `/webhooks?${new URLSearchParams(q).toString()}`;

/** Webhook flow: events per hour (or day) by field, processing lag, failures and unhandled events. */
export function WebhooksPanel({ data }: { data: NonNullable<Overview['webhooks']> }) {
  const fields = Object.entries(data.byField).sort((a, b) => b[1] - a[1]).map(([f]) => f);
  const keys = fields.map((f, i) => ({ key: f, label: f, color: seriesColor(i) }));
  const rows = data.series.map((s) => ({ bucket: s.bucket, label: bucketLabel(s.bucket), lag: s.lagMsAvg, ...Object.fromEntries(fields.map((f) => [f, s.counts[f] ?? 0])) }));
  const state = (s: string) => data.byState[s] ?? 0;
  const total = Object.values(data.byField).reduce((a, b) => a + b, 0);
  return (
    <Section title="Webhook flow" description="Events Meta delivered in the period, by the time they arrived.">
      <Stack gap="lg">
        <Group gap="xl">
          <Text fz="sm">Events: <CountLink to="/webhooks">{total}</CountLink></Text>
          <Text fz="sm">
            Failed: <CountLink to={webhooks({ state: 'failed' })} color={state('failed') > 0 ? 'red.8' : undefined}>{state('failed')}</CountLink>
          </Text>
          <Text fz="sm">Unhandled: <CountLink to={webhooks({ state: 'unhandled' })}>{state('unhandled')}</CountLink></Text>
          <Text fz="sm">Pending: <CountLink to={webhooks({ state: 'pending' })}>{state('pending')}</CountLink></Text>
          <Text fz="sm">Processing lag: average {formatMs(data.lag.avgMs)}, longest {formatMs(data.lag.maxMs)}</Text>
        </Group>
        <ChartFigure
          title={data.bucket === 'hour' ? 'Webhook events per hour' : 'Webhook events per day'}
          description="Events by webhook field, stacked; the table also gives the average processing lag."
          rows={rows}
          rowKey={(r) => r.bucket}
          height={260}
          empty="No webhook events in this period."
          columns={[
            { key: 'bucket', label: data.bucket === 'hour' ? 'Hour' : 'Day', value: (r) => r.label },
            ...keys.map((k) => ({ key: k.key, label: k.label, numeric: true, value: (r: (typeof rows)[number]) => r[k.key as keyof typeof r] as number, to: () => webhooks({ field: k.key }) })),
            { key: 'lag', label: 'Average lag', numeric: true, value: (r) => formatMs(r.lag) },
          ]}
          chart={<StackedBars data={rows} keys={keys} />}
        />
      </Stack>
    </Section>
  );
}

const OPEN_STATES: RequestState[] = ['received', 'verifying', 'in_progress'];

/** Open privacy requests by state and due date (overdue in red), and the last purge run. */
export function PrivacyPanel({ data }: { data: NonNullable<Overview['privacy']> }) {
  const { can } = useSession();
  const queue = (q: Record<string, string>) => `/privacy-requests?${new URLSearchParams(q).toString()}`;
  const rows = OPEN_STATES.map((s) => data.byState.find((x) => x.state === s) ?? { state: s, overdue: 0, dueSoon: 0, later: 0 }).map((r) => ({
    ...r,
    label: REQUEST_STATE_LABELS[r.state as RequestState] ?? r.state,
  }));
  const overdue = rows.reduce((n, r) => n + r.overdue, 0);
  const last = data.lastPurge;
  return (
    <Section title="Privacy" description="Open data subject requests and the retention purge.">
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
        <ChartFigure
          title="Open requests by state and due date"
          description={`Open requests by state: overdue (red), due within ${data.dueSoonDays} days, due later. ${overdue} overdue.`}
          rows={rows}
          rowKey={(r) => r.state}
          height={200}
          columns={[
            { key: 'state', label: 'State', value: (r) => r.label },
            { key: 'overdue', label: 'Overdue', numeric: true, value: (r) => <Text span c={r.overdue > 0 ? 'red.8' : undefined} fw={600} fz="inherit">{r.overdue}</Text>, to: (r) => queue({ state: r.state, urgency: 'overdue' }) },
            { key: 'dueSoon', label: `Due in ${data.dueSoonDays} days`, numeric: true, value: (r) => r.dueSoon, to: (r) => queue({ state: r.state, urgency: 'due_soon' }) },
            { key: 'later', label: 'Due later', numeric: true, value: (r) => r.later, to: (r) => queue({ state: r.state }) },
          ]}
          chart={
            <StackedBars
              data={rows}
              keys={[
                { key: 'overdue', label: 'Overdue', color: colorVar('red', 8) },
                { key: 'dueSoon', label: `Due in ${data.dueSoonDays} days`, color: colorVar('orange', 6) },
                { key: 'later', label: 'Due later', color: colorVar('blue', 6) },
              ]}
            />
          }
        />
        <Stack gap="xs">
          <Text fz="sm" fw={600}>
            Overdue requests: <CountLink to={queue({ urgency: 'overdue' })} color={overdue > 0 ? 'red.8' : undefined}>{overdue}</CountLink>
          </Text>
          <Text fz="sm" fw={600}>Last purge run</Text>
          {last ? (
            <Text fz="sm">
              {formatDateTime(last.startedAt)} ({last.trigger}): {last.error ? <Text span c="red.8" fz="inherit">failed: {last.error}</Text> : last.finishedAt ? `${last.deleted} items removed` : 'still running'}
              {can('settings.manage') ? (
                <>
                  {' · '}
                  <CountLink to="/settings">purge runs</CountLink>
                </>
              ) : null}
            </Text>
          ) : (
            <Text fz="sm" c="dimmed">No purge has run yet.</Text>
          )}
        </Stack>
      </SimpleGrid>
    </Section>
  );
}
