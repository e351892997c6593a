import type { ReactNode } from 'react';
import { Table } from '@mantine/core';

/**
 * A table named `label` that scrolls sideways on narrow screens (its scroll region is focusable and
 * named "<label> table"). With `busy`, it is dimmed and marked busy while newer rows load.
 */
export function ScrollTable({
  label,
  minWidth,
  busy,
  children,
}: {
  label: string;
  minWidth: number;
  busy?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`${label} table`} aria-busy={busy}>
      <Table miw={minWidth} aria-label={label} style={busy === undefined ? undefined : { opacity: busy ? 0.6 : 1 }}>
        {children}
      </Table>
    </div>
  );
}
