import { Button, Group, MultiSelect, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedSearch } from '../../lib/use-debounced-search.js';
import { ACTOR_TYPES, useAuditActions, type ActorType, type AuditFilters } from './api.js';
import { UserPicker } from '../users/UserPicker.js';
import { ACTOR_TYPE_LABELS, TARGET_TYPES, targetLabel } from './labels.js';
import { EMPTY_FILTERS, hasAuditFilters } from './list-params.js';

/** The users list's picker, worded as the audit log's actor filter. */
const ACTOR_WORDS = { label: 'Actor', placeholder: 'Anyone', clearLabel: 'Clear the actor filter' };

const ACTOR_TYPE_OPTIONS = [{ value: '', label: 'Any kind' }, ...ACTOR_TYPES.map((t) => ({ value: t, label: ACTOR_TYPE_LABELS[t] }))];

/** Filters of the audit log: actor, kind of actor, actions, target, days and free text (all kept in the address). */
export function AuditFilterBar({ filters, onChange }: { filters: AuditFilters; onChange: (next: AuditFilters) => void }) {
  const [search, setSearch] = useDebouncedSearch(filters.q, (q) => onChange({ ...filters, q }));
  const [targetId, setTargetId] = useDebouncedSearch(filters.targetId, (id) => onChange({ ...filters, targetId: id }));
  const actions = useAuditActions();
  const known = actions.data?.items ?? [];
  // actions from the address that the list does not know still show as selected
  const actionOptions = [
    ...known.map((a) => ({ value: a.action, label: a.label })),
    ...filters.actions.filter((a) => !known.some((k) => k.action === a)).map((a) => ({ value: a, label: a })),
  ];
  const targetTypes = filters.targetType && !(TARGET_TYPES as readonly string[]).includes(filters.targetType) ? [...TARGET_TYPES, filters.targetType] : TARGET_TYPES;
  const targetOptions = [{ value: '', label: 'Any target' }, ...targetTypes.map((t) => ({ value: t, label: targetLabel(t) }))];

  return (
    <Group gap="md" align="flex-end" wrap="wrap" mb="md">
      <TextInput
        label="Search"
        type="search"
        placeholder="Action, target, field or detail"
        description="Never searches names, emails or other personal values"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        w={{ base: '100%', sm: 280 }}
      />
      <UserPicker words={ACTOR_WORDS} value={filters.actor} onChange={(actor) => onChange({ ...filters, actor })} />
      <NativeSelect
        label="Kind of actor"
        data={ACTOR_TYPE_OPTIONS}
        value={filters.actorType}
        onChange={(event) => onChange({ ...filters, actorType: event.currentTarget.value as ActorType | '' })}
      />
      <MultiSelect
        label="Actions"
        placeholder={filters.actions.length === 0 ? 'All actions' : undefined}
        data={actionOptions}
        value={filters.actions}
        onChange={(next) => onChange({ ...filters, actions: next })}
        searchable
        clearable
        clearButtonProps={{ 'aria-label': 'Clear the actions filter' }}
        nothingFoundMessage="No such action"
        w={{ base: '100%', sm: 320 }}
      />
      <NativeSelect
        label="Target"
        data={targetOptions}
        value={filters.targetType}
        onChange={(event) => onChange({ ...filters, targetType: event.currentTarget.value, targetId: event.currentTarget.value ? filters.targetId : '' })}
      />
      <TextInput
        label="Target ID"
        placeholder={filters.targetType ? 'Exact ID' : 'Choose a target first'}
        disabled={!filters.targetType}
        value={targetId}
        onChange={(event) => setTargetId(event.currentTarget.value)}
        w={{ base: '100%', sm: 300 }}
        ff="monospace"
      />
      <TextInput label="From (day)" type="date" value={filters.from} max={filters.to || undefined} onChange={(event) => onChange({ ...filters, from: event.currentTarget.value })} />
      <TextInput label="To (day, inclusive)" type="date" value={filters.to} min={filters.from || undefined} onChange={(event) => onChange({ ...filters, to: event.currentTarget.value })} />
      {hasAuditFilters(filters) ? (
        <Button
          variant="subtle"
          onClick={() => {
            setSearch('');
            setTargetId('');
            onChange(EMPTY_FILTERS);
          }}
        >
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
