import { Badge, Group } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A token expiring within this many days is flagged. */
export const EXPIRY_WARNING_DAYS = 14;

/** When the business token expires, flagged once it is within 14 days or past. */
export function TokenExpiry({ expiresAt }: { expiresAt: string | null }) {
  if (!expiresAt) return <>Never</>;
  const at = Date.parse(expiresAt);
  const left = at - Date.now();
  const days = Math.max(1, Math.ceil(left / DAY_MS));
  const flag = Number.isNaN(at)
    ? null
    : left <= 0
      ? { color: 'red', text: 'Expired' }
      : left <= EXPIRY_WARNING_DAYS * DAY_MS
        ? { color: 'orange', text: `Expires in ${days} ${days === 1 ? 'day' : 'days'}` }
        : null;
  return (
    <Group gap={6} wrap="wrap">
      <DateCell iso={expiresAt} />
      {flag ? (
        <Badge color={flag.color} size="sm">
          {flag.text}
        </Badge>
      ) : null}
    </Group>
  );
}
