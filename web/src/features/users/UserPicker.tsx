import { useState } from 'react';
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useUser, useUserSearch, type UserListItem } from './api.js';

const optionLabel = (user: Pick<UserListItem, 'displayName' | 'email'>) => `${user.displayName} (${user.email})`;

/** What the picker is called where it stands (a user filter, the audit log's actor, ...). */
export interface PickerWords {
  label?: string;
  placeholder?: string;
  clearLabel?: string;
}

/** Picks one user by searching names and emails on the server. */
export function UserPicker({ value, onChange, words = {} }: { value: string; onChange: (userId: string) => void; words?: PickerWords }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  // Ask the server only once someone opens the list.
  const [used, setUsed] = useState(false);

  // Opened with a user already chosen (from the address): fetch their name for the label.
  const known = picked?.value === value ? picked : null;
  const chosen = useUser(value, value !== '' && known === null);
  const selected =
    value === '' ? null : (known ?? (chosen.data ? { value, label: optionLabel(chosen.data.user) } : { value, label: 'Selected user' }));

  // After a pick the box shows the chosen label; that is not a new search.
  const query = selected && debounced === selected.label ? '' : debounced;
  const results = useUserSearch(query, used);
  const options = (results.data?.items ?? []).map((user) => ({ value: user.id, label: optionLabel(user) }));
  if (selected && !options.some((option) => option.value === selected.value)) options.unshift(selected);

  return (
    <Select
      label={words.label ?? 'User'}
      placeholder={words.placeholder ?? 'Any user'}
      searchable
      clearable
      clearButtonProps={{ 'aria-label': words.clearLabel ?? 'Clear the user filter' }}
      data={options}
      value={value === '' ? null : value}
      onChange={(next, option) => {
        setPicked(next && option ? { value: next, label: option.label } : null);
        onChange(next ?? '');
      }}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setUsed(true)}
      filter={({ options: all }) => all}
      nothingFoundMessage={results.isFetching ? 'Searching…' : 'No users found'}
      w={{ base: '100%', sm: 300 }}
    />
  );
}
