import { describe, expect, it } from 'vitest';
import { defaultsFrom, KIND_SPECS, periodMs, RETENTION_KINDS } from './retention-kinds.js';

describe('retention kinds', () => {
  it('has the issue\'s defaults, each inside its own bounds', () => {
    const d = defaultsFrom({ webhookRawHours: 72, linkPrefillDays: 30 });
    expect(d).toEqual({
      login_activity: 180,
      link_prefill: 30,
      ended_sessions: 30,
      webhook_raw: 72,
      webhook_records: 90,
      outbox_mail: 30,
      request_personal_data: 3 * 365,
      audit_events: 2 * 365,
      disconnected_records: 365,
      notifications: 90,
    });
    for (const k of RETENTION_KINDS) {
      const s = KIND_SPECS[k];
      expect(s.min, k).toBeGreaterThanOrEqual(1);
      expect(s.default, k).toBeGreaterThanOrEqual(s.min);
      expect(s.default, k).toBeLessThanOrEqual(s.max);
    }
  });

  it('takes the env defaults for raw webhook bodies and link prefill, clamped to the bounds', () => {
    expect(defaultsFrom({ webhookRawHours: 5, linkPrefillDays: 90 })).toMatchObject({ webhook_raw: 5, link_prefill: 90 });
    expect(defaultsFrom({ webhookRawHours: 5000, linkPrefillDays: 0 })).toMatchObject({ webhook_raw: 720, link_prefill: 1 });
  });

  it('measures hours for raw webhook bodies and days for the rest', () => {
    expect(periodMs('webhook_raw', 72)).toBe(72 * 3_600_000);
    expect(periodMs('login_activity', 180)).toBe(180 * 86_400_000);
  });
});
