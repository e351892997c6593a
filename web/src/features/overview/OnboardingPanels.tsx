import { Group, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useNavigate } from 'react-router';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Section } from '../../components/Section.js';
import { STATE_COLORS, STATE_LABELS } from '../onboarding/labels.js';
import type { OnboardingState } from '../onboarding/api.js';
import type { OnboardingSource, Overview } from './api.js';
import { AXIS, ChartFigure, colorVar, CountLink, seriesColor, TOOLTIP } from './ChartFigure.js';
import { FUNNEL_LABELS, percent, stepLabel } from './format.js';

/** The records list filtered by current state and, when the panel is filtered, by who started the attempt. */
function records(state?: string, source: OnboardingSource = 'all'): string {
  const q = new URLSearchParams();
  if (state) q.set('state', state);
  if (source !== 'all') q.set('via', source);
  const s = q.toString();
  return s ? `/onboarding?${s}` : '/onboarding';
}
// The records list filters by current state: steps before "connected" open the list of the source.
const funnelLink = (step: string, source: OnboardingSource) => records(step === 'connected' ? 'connected' : undefined, source);

/** Horizontal bars, one per category; a click on a bar opens its list (the table view has the same links for keyboards). */
function CategoryBars({ data, name, colors, to }: { data: { label: string; count: number }[]; name: string; colors?: string[]; to?: (i: number) => string | null }) {
  const navigate = useNavigate();
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }} accessibilityLayer={false}>
        <CartesianGrid horizontal={false} stroke={AXIS.stroke} />
        <XAxis type="number" allowDecimals={false} stroke={AXIS.stroke} tick={AXIS.tick} />
        <YAxis type="category" dataKey="label" width={130} stroke={AXIS.stroke} tick={AXIS.tick} />
        <Tooltip {...TOOLTIP} cursor={{ fill: 'var(--mantine-color-default-hover)' }} />
        <Bar dataKey="count" name={name} isAnimationActive={false}>
          {data.map((d, i) => (
            <Cell
              key={d.label}
              fill={colors?.[i] ?? seriesColor(0)}
              cursor={to?.(i) ? 'pointer' : undefined}
              onClick={() => {
                const link = to?.(i);
                if (link) void navigate(link);
              }}
            />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

const SOURCE_OPTIONS = [
  { value: 'all', label: 'All' },
  { value: 'staff', label: 'Staff connect' },
  { value: 'link', label: 'Customer link' },
];

/** The onboarding funnel of the period, where customers abandoned, and Meta's failure codes. */
export function OnboardingPanel({ data, source, onSource }: { data: NonNullable<Overview['onboarding']>; source: OnboardingSource; onSource: (s: OnboardingSource) => void }) {
  const started = data.funnel[0]?.count ?? 0;
  const funnel = data.funnel.map((s, i) => ({ ...s, label: FUNNEL_LABELS[s.step] ?? s.step, previous: i === 0 ? s.count : data.funnel[i - 1]!.count }));
  const abandoned = data.abandoned.map((a) => ({ ...a, label: stepLabel(a.step) }));
  const failures = data.failures.map((f) => ({ ...f, label: f.code === null ? 'No Meta code' : `Code ${f.code}` }));
  return (
    <Section
      title="Onboarding"
      description="Embedded Signup attempts started in the period and how far they got."
      actions={<SegmentedControl aria-label="Started by" size="xs" value={source} onChange={(v) => onSource(v as OnboardingSource)} data={SOURCE_OPTIONS} />}
    >
      <Stack gap="xl">
        <ChartFigure
          title="Onboarding funnel"
          description={`Of ${started} attempts started, how many reached each step; conversion is from the step before.`}
          rows={funnel}
          rowKey={(r) => r.step}
          columns={[
            { key: 'step', label: 'Step', value: (r) => r.label },
            { key: 'count', label: 'Attempts', value: (r) => r.count, to: (r) => funnelLink(r.step, source), numeric: true },
            { key: 'conv', label: 'From previous step', value: (r) => percent(r.count, r.previous), numeric: true },
            { key: 'of', label: 'Of started', value: (r) => percent(r.count, started), numeric: true },
          ]}
          chart={<CategoryBars data={funnel} name="Attempts" to={(i) => funnelLink(funnel[i]!.step, source)} colors={funnel.map((_, i) => colorVar('blue', Math.min(9, 3 + i)))} />}
        />
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
          <ChartFigure
            title="Abandoned, by Meta's current step"
            description="Attempts the customer left, by the step Embedded Signup reported when they closed it."
            empty="No abandoned attempts in this period."
            height={200}
            rows={abandoned}
            rowKey={(r) => r.step ?? '-'}
            columns={[
              { key: 'step', label: 'Step left at', value: (r) => r.label },
              { key: 'count', label: 'Attempts', value: (r) => r.count, to: () => records('abandoned', source), numeric: true },
            ]}
            chart={<CategoryBars data={abandoned} name="Abandoned" to={() => records('abandoned', source)} colors={abandoned.map(() => colorVar('gray', 6))} />}
          />
          <ChartFigure
            title="Failures, by Meta error code"
            description="Attempts that failed, by the Graph API error code Meta returned."
            empty="No failed attempts in this period."
            height={200}
            rows={failures}
            rowKey={(r) => String(r.code)}
            columns={[
              { key: 'code', label: 'Error', value: (r) => r.label },
              { key: 'count', label: 'Attempts', value: (r) => r.count, to: () => records('failed', source), numeric: true },
            ]}
            chart={<CategoryBars data={failures} name="Failed" to={() => records('failed', source)} colors={failures.map(() => colorVar('red', 7))} />}
          />
        </SimpleGrid>
      </Stack>
    </Section>
  );
}

const QUALITY_COLORS: Record<string, string> = { GREEN: colorVar('green', 7), YELLOW: colorVar('yellow', 6), RED: colorVar('red', 7) };

/** WhatsApp accounts by state, their phone numbers' quality and name status, tokens about to expire. */
export function AccountsPanel({ data }: { data: NonNullable<Overview['accounts']> }) {
  const byState = data.byState.map((s) => ({ ...s, label: STATE_LABELS[s.state as OnboardingState] ?? s.state }));
  const quality = data.quality.map((q) => ({ ...q, label: q.value ?? 'Unknown' }));
  const names = data.nameStatus.map((q) => ({ ...q, label: q.value ? stepLabel(q.value) : 'Unknown' }));
  return (
    <Section title="WhatsApp accounts" description="Every account as it stands now; phone numbers of connected accounts.">
      <Stack gap="xl">
        <Group gap="xl">
          <Text fz="sm">
            Tokens expiring in the next {data.tokens.windowDays} days:{' '}
            <CountLink to={records('connected')} color={data.tokens.expiring > 0 ? 'orange.9' : undefined}>
              {data.tokens.expiring}
            </CountLink>
          </Text>
          <Text fz="sm">
            Connected with an expired token:{' '}
            <CountLink to={records('connected')} color={data.tokens.expired > 0 ? 'red.8' : undefined}>
              {data.tokens.expired}
            </CountLink>
          </Text>
        </Group>
        <ChartFigure
          title="Accounts by state"
          description="Onboarding records by their current state."
          empty="No accounts yet."
          rows={byState}
          rowKey={(r) => r.state}
          columns={[
            { key: 'state', label: 'State', value: (r) => r.label },
            { key: 'count', label: 'Accounts', value: (r) => r.count, to: (r) => records(r.state), numeric: true },
          ]}
          chart={<CategoryBars data={byState} name="Accounts" to={(i) => records(byState[i]!.state)} colors={byState.map((s) => colorVar(STATE_COLORS[s.state as OnboardingState] ?? 'gray', 7))} />}
        />
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
          <ChartFigure
            title="Phone numbers by quality rating"
            description="Meta's quality rating of the phone numbers of connected accounts."
            empty="No phone numbers of connected accounts."
            height={180}
            rows={quality}
            rowKey={(r) => r.label}
            columns={[
              { key: 'rating', label: 'Quality', value: (r) => r.label },
              { key: 'count', label: 'Numbers', value: (r) => r.count, to: () => records('connected'), numeric: true },
            ]}
            chart={<CategoryBars data={quality} name="Numbers" colors={quality.map((q) => QUALITY_COLORS[q.value ?? ''] ?? colorVar('gray', 6))} />}
          />
          <ChartFigure
            title="Phone numbers by display name status"
            description="Meta's review of the display names of connected accounts' numbers."
            empty="No phone numbers of connected accounts."
            height={180}
            rows={names}
            rowKey={(r) => r.label}
            columns={[
              { key: 'status', label: 'Name status', value: (r) => r.label },
              { key: 'count', label: 'Numbers', value: (r) => r.count, to: () => records('connected'), numeric: true },
            ]}
            chart={<CategoryBars data={names} name="Numbers" colors={names.map((_, i) => seriesColor(i))} />}
          />
        </SimpleGrid>
      </Stack>
    </Section>
  );
}
