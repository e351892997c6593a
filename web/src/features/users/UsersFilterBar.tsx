import { Button, Checkbox, Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedSearch } from '../../lib/use-debounced-search.js';
import { roleLabel } from '../../lib/format.js';
import type { Role, UserStatus } from '../../lib/session.js';
import type { UsersFilters } from './api.js';
import { ROLES, STATUSES, STATUS_LABELS } from './labels.js';
import { hasActiveFilters } from './list-params.js';


const ROLE_OPTIONS = [{ value: '', label: 'All roles' }, ...ROLES.map((role) => ({ value: role, label: roleLabel(role) }))];
const STATUS_OPTIONS = [{ value: '', label: 'All statuses' }, ...STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] }))];

export function UsersFilterBar({ filters, onChange }: { filters: UsersFilters; onChange: (next: UsersFilters) => void }) {
  const [search, setSearch] = useDebouncedSearch(filters.q, (q) => onChange({ ...filters, q }));

  return (
    <Group gap="md" align="flex-end" wrap="wrap" mb="md">
      <TextInput
        label="Search"
        type="search"
        placeholder="Email or name"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        w={{ base: '100%', sm: 280 }}
      />
      <NativeSelect
        label="Role"
        data={ROLE_OPTIONS}
        value={filters.role}
        onChange={(event) => onChange({ ...filters, role: event.currentTarget.value as Role | '' })}
      />
      <NativeSelect
        label="Status"
        data={STATUS_OPTIONS}
        value={filters.status}
        onChange={(event) => onChange({ ...filters, status: event.currentTarget.value as UserStatus | '' })}
      />
      <Checkbox
        label="Not signed in for 90 days"
        checked={filters.inactive}
        onChange={(event) => onChange({ ...filters, inactive: event.currentTarget.checked })}
        mb={8}
      />
      {hasActiveFilters(filters) ? (
        <Button
          variant="subtle"
          onClick={() => {
            setSearch('');
            onChange({ ...filters, q: '', role: '', status: '', inactive: false });
          }}
        >
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
