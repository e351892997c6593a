/** The pure delivery parser: rows per change, derived summaries, dedupe keys; never anything but AppError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../http/errors.js';
import { MAX_CHANGES, parseDelivery } from './webhook-parse.js';
import { counterDeltas } from './process/messages.js';

const NOW = new Date('2026-06-01T09:00:00Z');
const parse = (body: unknown) => parseDelivery(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), { now: NOW, rawRetentionHours: 72 });
const env = (...entries: unknown[]) => ({ object: 'whatsapp_business_account', entry: entries });

const messagesValue = {
  messaging_product: 'whatsapp',
  metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
  contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
  messages: [{ from: '16505551234', id: 'wamid.IN1', timestamp: '1749416383', type: 'text', text: { body: 'Does it come in another color?' } }],
  statuses: [
    { id: 'wamid.OUT1', status: 'delivered', timestamp: '1749416390', recipient_id: '16505551234' },
    { id: 'wamid.OUT2', status: 'failed', timestamp: '1749416385', recipient_id: '16505551234', errors: [{ code: 131026, title: 'x' }] },
  ],
};

describe('parseDelivery', () => {
  it('reduces messages to content-free facts', () => {
    const [row, ...rest] = parse(env({ id: '102290129340398', changes: [{ field: 'messages', value: messagesValue }] }));
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ field: 'messages', wabaId: '102290129340398', phoneNumberId: '106540352242922', state: 'processed', payload: null, payloadPurgeAfter: null });
    expect(row!.eventAt).toEqual(new Date(1749416390 * 1000));
    expect(row!.summary).toMatchObject({ kinds: { inbound: 1, delivered: 1, failed: 1 }, errorCodes: [131026] });
    expect((row!.summary as { messageIdHashes: string[] }).messageIdHashes).toHaveLength(3);
    const text = JSON.stringify(row);
    for (const secret of ['Sheena', '16505551234', 'another color', 'wamid.']) expect(text).not.toContain(secret);
  });

  it('keys messages by (id, status) pairs, whatever their order; management changes by their serialisation', () => {
    const a = parse(env({ id: '1', changes: [{ field: 'messages', value: messagesValue }] }))[0]!;
    const reordered = { ...messagesValue, statuses: [...messagesValue.statuses].reverse(), contacts: [] };
    const b = parse(env({ id: '1', changes: [{ field: 'messages', value: reordered }] }))[0]!;
    expect(b.dedupeKey).toBe(a.dedupeKey);
    const read = { ...messagesValue, statuses: [{ ...messagesValue.statuses[0]!, status: 'read' }] };
    expect(parse(env({ id: '1', changes: [{ field: 'messages', value: read }] }))[0]!.dedupeKey).not.toBe(a.dedupeKey);
    const m1 = parse(env({ id: '5', time: 1743451903, changes: [{ field: 'account_review_update', value: { decision: 'APPROVED' } }] }))[0]!;
    const m2 = parse(env({ id: '5', time: 1743451999, changes: [{ field: 'account_review_update', value: { decision: 'APPROVED' } }] }))[0]!;
    expect(m1.dedupeKey).toBe(m2.dedupeKey);
    expect(m1.eventAt).toEqual(new Date(1743451903 * 1000));
  });

  it('keeps management values with a purge time, takes the WABA of PARTNER_* from waba_info', () => {
    const rows = parse(
      env(
        { id: '999', time: 1743451903, changes: [{ field: 'account_update', value: { event: 'PARTNER_ADDED', waba_info: { waba_id: '123', owner_business_id: '456' } } }] },
        { id: '123', time: 1743451904, changes: [{ field: 'account_update', value: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE' } } }] },
      ),
    );
    expect(rows.map((r) => r.wabaId)).toEqual(['123', '123']);
    expect(rows[0]!.payload).toMatchObject({ event: 'PARTNER_ADDED' });
    expect(rows[0]!.payloadPurgeAfter).toEqual(new Date(NOW.getTime() + 72 * 3_600_000));
    expect(rows[1]!.summary).toEqual({ event: 'DISABLED_UPDATE' });
  });

  it('stores content-bearing and unknown fields as metadata only, unhandled', () => {
    const rows = parse(env({ id: '1', changes: [{ field: 'history', value: { messages: [{ text: 'secret words' }] } }, { field: 'brand_new_field', value: { a: 1 } }, 'junk'] }));
    expect(rows.map((r) => [r.field, r.state, r.reason])).toEqual([
      ['history', 'unhandled', 'field not processed (content)'],
      ['brand_new_field', 'unhandled', 'unknown field'],
      ['(missing)', 'unhandled', 'malformed change'],
    ]);
    expect(rows.every((r) => r.payload === null)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('secret words');
  });

  it('refuses bad JSON and non-envelopes with 400, too many changes with 413', () => {
    for (const body of ['{', '', 'null', '[]', '{"entry":{}}']) expect(() => parse(body)).toThrow(AppError);
    try {
      parse('{');
    } catch (e) {
      expect((e as AppError).status).toBe(400);
    }
    const many = env({ id: '1', changes: Array.from({ length: MAX_CHANGES + 1 }, () => ({ field: 'x', value: {} })) });
    expect(() => parse(many)).toThrow(expect.objectContaining({ status: 413 }));
  });

  it('sums counters per phone and kind', () => {
    const deltas = counterDeltas([
      { phoneNumberId: 'p1', eventAt: new Date(2000), summary: { kinds: { sent: 2, read: 1 } } },
      { phoneNumberId: 'p1', eventAt: new Date(1000), summary: { kinds: { sent: 1 } } },
      { phoneNumberId: null, eventAt: null, summary: { kinds: { sent: 5 } } },
    ]);
    expect(deltas).toEqual([
      { phoneNumberId: 'p1', kind: 'sent', count: 3, lastEventAt: new Date(2000) },
      { phoneNumberId: 'p1', kind: 'read', count: 1, lastEventAt: new Date(2000) },
    ]);
  });
});

describe('parseDelivery properties', () => {
  const onlyAppError = (raw: Buffer) => {
    try {
      parseDelivery(raw, { now: NOW, rawRetentionHours: 72 });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
    }
  };
  it('never throws anything but AppError on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyAppError(Buffer.from(bytes))), { numRuns: 500 });
  });
  it('never throws anything but AppError on arbitrary JSON, nor on envelope-shaped JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => onlyAppError(Buffer.from(JSON.stringify(v) ?? 'null'))), { numRuns: 500 });
    const change = fc.record({ field: fc.oneof(fc.constantFrom('messages', 'account_update', 'history', 'phone_number_name_update'), fc.string()), value: fc.jsonValue() }, { requiredKeys: [] });
    const entry = fc.record({ id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), time: fc.oneof(fc.integer(), fc.string()), changes: fc.array(fc.oneof(change, fc.jsonValue()), { maxLength: 5 }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (entries) => {
        const raw = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: entries }));
        onlyAppError(raw);
        // a well-formed envelope always parses: one row per change object
        const rows = parseDelivery(raw, { now: NOW, rawRetentionHours: 72 });
        expect(rows.length).toBe(entries.reduce((n, e) => n + (Array.isArray(e.changes) ? e.changes.length : 0), 0));
      }),
      { numRuns: 300 },
    );
  });
  it('messages rows never carry the texts, names or numbers they were given', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }).map((s) => `Z${s}Z`), fc.stringMatching(/^\d{11,14}$/), (text, number) => {
        const value = { metadata: { phone_number_id: '106540352242922' }, contacts: [{ profile: { name: text }, wa_id: number }], messages: [{ from: number, id: 'wamid.X', timestamp: '1749416383', text: { body: text } }] };
        const rows = parseDelivery(Buffer.from(JSON.stringify(env({ id: '1', changes: [{ field: 'messages', value }] }))), { now: NOW, rawRetentionHours: 72 });
        const out = JSON.stringify(rows);
        expect(out).not.toContain(JSON.stringify(text).slice(1, -1));
        expect(out).not.toContain(number);
      }),
      { numRuns: 200 },
    );
  });
});
