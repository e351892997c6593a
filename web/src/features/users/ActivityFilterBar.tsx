import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import type { LoginResult } from './api.js';
import { type ActivityParams, hasActivityFilters, rangeIsReversed } from './activity-params.js';
import { FAILURE_REASONS, reasonLabel } from './labels.js';
import { UserPicker } from './UserPicker.js';

const RESULT_OPTIONS = [
  { value: '', label: 'Any result' },
  { value: 'success', label: 'Success' },
  { value: 'failure', label: 'Failure' },
];
const REASON_OPTIONS = [{ value: '', label: 'Any reason' }, ...FAILURE_REASONS.map((reason) => ({ value: reason, label: reasonLabel(reason) }))];

export function ActivityFilterBar({ values, onChange }: { values: ActivityParams; onChange: (next: ActivityParams) => void }) {
  const set = <K extends keyof ActivityParams>(key: K, value: ActivityParams[K]) => onChange({ ...values, [key]: value });
  return (
    <Group gap="md" align="flex-start" wrap="wrap" mb="md">
      <UserPicker value={values.userId} onChange={(userId) => set('userId', userId)} />
      <NativeSelect
        label="Result"
        data={RESULT_OPTIONS}
        value={values.result}
        onChange={(event) => set('result', event.currentTarget.value as LoginResult | '')}
      />
      <NativeSelect
        label="Reason"
        data={REASON_OPTIONS}
        value={values.reason}
        onChange={(event) => set('reason', event.currentTarget.value)}
      />
      <TextInput label="From" type="date" value={values.from} max={values.to || undefined} onChange={(event) => set('from', event.currentTarget.value)} />
      <TextInput
        label="To"
        type="date"
        value={values.to}
        min={values.from || undefined}
        onChange={(event) => set('to', event.currentTarget.value)}
        error={rangeIsReversed(values) ? 'Choose a day on or after "From"' : undefined}
      />
      {hasActivityFilters(values) ? (
        <Button variant="subtle" mt={25} onClick={() => onChange({ userId: '', result: '', reason: '', from: '', to: '' })}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
