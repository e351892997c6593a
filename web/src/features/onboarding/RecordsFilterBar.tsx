import { useEffect, useState } from 'react';
import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { OnboardingState, RecordsFilters } from './api.js';
import { STATES, STATE_LABELS } from './labels.js';
import { hasRecordFilters } from './list-params.js';

const SEARCH_DEBOUNCE_MS = 300;
const STATE_OPTIONS = [{ value: '', label: 'All states' }, ...STATES.map((state) => ({ value: state, label: STATE_LABELS[state] }))];

export function RecordsFilterBar({ filters, onChange }: { filters: RecordsFilters; onChange: (next: RecordsFilters) => void }) {
  // The search box answers every keystroke; the list follows once typing pauses.
  const [search, setSearch] = useState(filters.q);
  const [debounced] = useDebouncedValue(search, SEARCH_DEBOUNCE_MS);

  useEffect(() => {
    if (debounced.trim() !== filters.q.trim()) onChange({ ...filters, q: debounced });
    // Only a settled search should change the list.
  }, [debounced]);

  // Back/forward or "Clear filters" changed the search in the address: show it.
  useEffect(() => {
    if (filters.q.trim() !== search.trim()) setSearch(filters.q);
  }, [filters.q]);

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
      {hasRecordFilters(filters) ? (
        <Button
          variant="subtle"
          onClick={() => {
            setSearch('');
            onChange({ ...filters, q: '', state: '' });
          }}
        >
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
