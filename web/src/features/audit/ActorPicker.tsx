import { useState } from 'react';
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useUser, useUserSearch, type UserListItem } from '../users/api.js';

const optionLabel = (user: Pick<UserListItem, 'displayName' | 'email'>) => `${user.displayName} (${user.email})`;

/** Picks the acting user by searching the users list on the server. */
export function ActorPicker({ value, onChange }: { value: string; onChange: (userId: string) => void }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  // Ask the server only once someone opens the list.
  const [used, setUsed] = useState(false);

  // Opened with an actor already chosen (from the address): fetch their name for the label.
  const known = picked?.value === value ? picked : null;
  const chosen = useUser(value, value !== '' && known === null);
  const selected =
    value === '' ? null : (known ?? (chosen.data ? { value, label: optionLabel(chosen.data.user) } : { value, label: 'Selected user' }));

  const query = selected && debounced === selected.label ? '' : debounced;
  const results = useUserSearch(query, used);
  const options = (results.data?.items ?? []).map((user) => ({ value: user.id, label: optionLabel(user) }));
  if (selected && !options.some((option) => option.value === selected.value)) options.unshift(selected);

  return (
    <Select
      label="Actor"
      placeholder="Anyone"
      searchable
      clearable
      clearButtonProps={{ 'aria-label': 'Clear the actor filter' }}
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
      w={{ base: '100%', sm: 280 }}
    />
  );
}
