import { useEffect, useState } from 'react';
import { useDebouncedValue } from '@mantine/hooks';

const SEARCH_DEBOUNCE_MS = 300;

/**
 * A search box bound to a list filter kept in the address: the box answers every keystroke, the
 * list follows once typing pauses (`onSearch`), and a search changed elsewhere (back/forward,
 * "Clear filters") shows in the box. Returns the box's value and setter.
 */
export function useDebouncedSearch(q: string, onSearch: (q: string) => void): [string, (value: string) => void] {
  const [search, setSearch] = useState(q);
  const [debounced] = useDebouncedValue(search, SEARCH_DEBOUNCE_MS);

  useEffect(() => {
    if (debounced.trim() !== q.trim()) onSearch(debounced);
    // Only a settled search should change the list.
  }, [debounced]);

  useEffect(() => {
    if (q.trim() !== search.trim()) setSearch(q);
  }, [q]);

  return [search, setSearch];
}
