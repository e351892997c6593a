/** The group commit of concurrent deliveries (deliveryBatcher): shared statements, order, isolation of a bad delivery. */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/test-db.js';
import { parseDelivery, type WebhookRow } from './webhook-parse.js';
import { deliveryBatcher } from './webhooks.service.js';

const t = useTestDatabase();
const at = new Date('2026-01-05T10:00:00Z');

const statusBody = (id: string) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '106540352242922' }, statuses: [{ id, status: 'sent', timestamp: '1767607200', recipient_id: '4915123456100' }] } }] }],
  });
const rowsOf = (body: string): WebhookRow[] => parseDelivery(Buffer.from(body), { now: at, rawRetentionHours: 1 });

describe('deliveryBatcher', () => {
  it('stores concurrent deliveries in shared statements, duplicates as if one after the other, and fails only a bad delivery', async () => {
    const store = deliveryBatcher(t.current.database.db, { statements: 1 });
    const bodies = Array.from({ length: 30 }, (_, i) => statusBody(`wamid.batch${i}`));
    bodies[20] = bodies[3]!; // the same status again, later
    const bad = rowsOf(statusBody('wamid.bad')).map((r) => ({ ...r, summary: { broken: 'nul \u0000 is not jsonb' } }));
    const results = await Promise.allSettled([...bodies.map((b) => store(rowsOf(b), at)), store(bad, at)]);

    expect(results.slice(0, 30).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[30]!.status).toBe('rejected');
    const states = results.slice(0, 30).map((r) => (r as PromiseFulfilledResult<{ id: number; state: string }[]>).value[0]!.state);
    expect(states.filter((s) => s === 'duplicate')).toHaveLength(1);
    expect(states[20]).toBe('duplicate');
    // a status is counted by the statement that stores it
    expect(states[3]).toBe('processed');

    const rows = await t.current.database.pool.query<{ n: number; keys: number }>('SELECT count(*)::int AS n, count(DISTINCT dedupe_key)::int AS keys FROM webhook_events');
    expect(rows.rows[0]).toEqual({ n: 30, keys: 29 });
    // counted once per new status: not the duplicate, not the delivery whose statement failed
    const counted = await t.current.database.pool.query<{ n: number }>('SELECT sum(count)::int AS n FROM phone_message_counters');
    expect(counted.rows[0]!.n).toBe(29);
  });
});
