import { Group, Table, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconSelector } from '../../components/icons.js';
import type { SortOrder, UserSort } from './api.js';

/** A column header that sorts the list; `aria-sort` tells assistive technology the current order. */
export function SortableTh({
  column,
  label,
  sort,
  order,
  onSort,
}: {
  column: UserSort;
  label: string;
  sort: UserSort;
  order: SortOrder;
  onSort: (column: UserSort) => void;
}) {
  const active = column === sort;
  const Arrow = !active ? IconSelector : order === 'asc' ? IconArrowUp : IconArrowDown;
  return (
    <Table.Th scope="col" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <UnstyledButton onClick={() => onSort(column)} className="sort-button" fw={700} fz="sm">
        <Group gap={4} wrap="nowrap" component="span">
          <span>{label}</span>
          <Arrow size={14} />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}
