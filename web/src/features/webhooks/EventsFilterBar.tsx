import { Button, Group, NativeSelect } from '@mantine/core';
import type { EventsFilters, WebhookEventState } from './api.js';
import { FIELDS, STATES, STATE_LABELS } from './labels.js';
import { hasEventFilters } from './list-params.js';

const STATE_OPTIONS = [{ value: '', label: 'All states' }, ...STATES.map((state) => ({ value: state, label: STATE_LABELS[state] }))];

export function EventsFilterBar({ filters, onChange }: { filters: EventsFilters; onChange: (next: EventsFilters) => void }) {
  // A field from the address that the list does not know still shows as selected.
  const fields = filters.field && !FIELDS.includes(filters.field) ? [...FIELDS, filters.field] : FIELDS;
  const fieldOptions = [{ value: '', label: 'All fields' }, ...fields.map((field) => ({ value: field, label: field }))];
  return (
    <Group gap="md" align="flex-end" wrap="wrap" mb="md">
      <NativeSelect
        label="State"
        data={STATE_OPTIONS}
        value={filters.state}
        onChange={(event) => onChange({ ...filters, state: event.currentTarget.value as WebhookEventState | '' })}
      />
      <NativeSelect
        label="Field"
        data={fieldOptions}
        value={filters.field}
        onChange={(event) => onChange({ ...filters, field: event.currentTarget.value })}
      />
      {hasEventFilters(filters) ? (
        <Button variant="subtle" onClick={() => onChange({ state: '', field: '' })}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
