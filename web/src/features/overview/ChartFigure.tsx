import { useId, useState, type ReactNode } from 'react';
import { Anchor, Box, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { ScrollTable } from '../../components/ScrollTable.js';

/** One column of a chart's table view; `to` turns the cell into a link to the filtered list behind it. */
export interface TableColumn<Row> {
  key: string;
  label: string;
  value: (row: Row) => ReactNode;
  to?: (row: Row) => string | null;
  numeric?: boolean;
}

/** Colours of chart series from the Mantine theme, so charts follow the UI kit (and its dark scheme). */
export const SERIES_COLORS = ['blue', 'teal', 'grape', 'orange', 'cyan', 'pink', 'lime', 'indigo', 'yellow', 'violet'];
export const colorVar = (name: string, shade = 6) => `var(--mantine-color-${name}-${shade})`;
export const seriesColor = (i: number) => colorVar(SERIES_COLORS[i % SERIES_COLORS.length]!);
/** Axis and grid styling shared by every chart. */
export const AXIS = { stroke: 'var(--mantine-color-default-border)', tick: { fill: 'var(--mantine-color-dimmed)', fontSize: 12 } };
export const TOOLTIP = {
  contentStyle: { background: 'var(--mantine-color-body)', border: '1px solid var(--mantine-color-default-border)', borderRadius: 8, color: 'var(--mantine-color-text)' },
  labelStyle: { color: 'var(--mantine-color-text)' },
};

/** A number that opens the filtered list it counts (plain text when there is no list to open). */
export function CountLink({ to, children, color }: { to: string | null; children: ReactNode; color?: string }) {
  if (!to) return <Text span c={color} fw={600}>{children}</Text>;
  return (
    <Anchor component={Link} to={to} fw={600} c={color}>
      {children}
    </Anchor>
  );
}

/**
 * A chart with its title, a description read by assistive technology, and a table view of the
 * same data (for screen readers and for copying) behind a toggle.
 */
export function ChartFigure<Row>({
  title,
  description,
  chart,
  columns,
  rows,
  rowKey,
  empty,
  height = 240,
}: {
  title: string;
  description: string;
  chart: ReactNode;
  columns: TableColumn<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string;
  empty?: string;
  height?: number;
}) {
  const [asTable, setAsTable] = useState(false);
  const titleId = useId();
  const descId = useId();
  const tableId = useId();
  return (
    <Stack component="figure" gap="xs" m={0} aria-labelledby={titleId} aria-describedby={descId}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Title order={3} fz="h5" id={titleId}>
          {title}
        </Title>
        {rows.length > 0 ? (
          <Button variant="subtle" size="compact-sm" aria-expanded={asTable} aria-controls={tableId} onClick={() => setAsTable(!asTable)}>
            {asTable ? 'Show chart' : 'Show table'}
          </Button>
        ) : null}
      </Group>
      <Text id={descId} fz="sm" c="dimmed">
        {description}
      </Text>
      {rows.length === 0 ? (
        <Text fz="sm" py="md" ta="center" c="dimmed">
          {empty ?? 'Nothing in this period.'}
        </Text>
      ) : asTable ? (
        <Box id={tableId}>
          <ScrollTable label={title} minWidth={300}>
            <Table.Thead>
              <Table.Tr>
                {columns.map((c) => (
                  <Table.Th key={c.key} scope="col" ta={c.numeric ? 'right' : undefined}>
                    {c.label}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={rowKey(r)}>
                  {columns.map((c, i) => {
                    const v = c.value(r);
                    const to = c.to?.(r) ?? null;
                    const cell = to ? <CountLink to={to}>{v}</CountLink> : v;
                    return i === 0 ? (
                      <Table.Th key={c.key} scope="row" fw={500}>
                        {cell}
                      </Table.Th>
                    ) : (
                      <Table.Td key={c.key} ta={c.numeric ? 'right' : undefined}>
                        {cell}
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
        </Box>
      ) : (
        <Box id={tableId} role="img" aria-label={`${title}. ${description} Use "Show table" for the numbers.`} h={height} data-chart>
          {chart}
        </Box>
      )}
    </Stack>
  );
}
