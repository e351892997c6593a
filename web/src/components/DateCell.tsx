import { formatDateTime } from '../lib/format.js';

/** A timestamp in the viewer's locale and time zone, machine-readable too. */
export function DateCell({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <>—</>;
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}
