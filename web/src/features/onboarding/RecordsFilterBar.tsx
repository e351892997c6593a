import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedSearch } from '../../lib/use-debounced-search.js';
import type { OnboardingState, RecordsFilters } from './api.js';
import { STATES, STATE_LABELS } from './labels.js';
import { hasRecordFilters } from './list-params.js';

const STATE_OPTIONS = [{ value: '', label: 'All states' }, ...STATES.map((state) => ({ value: state, label: STATE_LABELS[state] }))];
const VIA_OPTIONS = [
  { value: '', label: 'Staff and customers' },
  { value: 'staff', label: 'Staff connect' },
  { value: 'link', label: 'Customer link' },
];

export function RecordsFilterBar({ filters, onChange }: { filters: RecordsFilters; onChange: (next: RecordsFilters) => void }) {
  const [search, setSearch] = useDebouncedSearch(filters.q, (q) => onChange({ ...filters, q }));

  return (
    <Group gap="md" align="flex-end" wrap="wrap" mb="md">
      <TextInput
        label="Search"
        type="search"
        placeholder="Business, WABA or phone number"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        w={{ base: '100%', sm: 300 }}
      />
      <NativeSelect
        label="State"
        data={STATE_OPTIONS}
        value={filters.state}
        onChange={(event) => onChange({ ...filters, state: event.currentTarget.value as OnboardingState | '' })}
      />
      <NativeSelect
        label="Started by"
        data={VIA_OPTIONS}
        value={filters.via}
        onChange={(event) => onChange({ ...filters, via: event.currentTarget.value as RecordsFilters['via'] })}
      />
      {hasRecordFilters(filters) ? (
        <Button
          variant="subtle"
          onClick={() => {
            setSearch('');
            onChange({ ...filters, q: '', state: '', via: '' });
          }}
        >
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
