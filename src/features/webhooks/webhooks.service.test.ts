/** The processing trigger coalesces: one request in flight and at most one queued behind it. */
import { describe, expect, it } from 'vitest';
import { coalescedTrigger } from './webhooks.service.js';

describe('coalescedTrigger', () => {
  it('sends once per in-flight window however many deliveries arrive', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const trigger = coalescedTrigger(
      () =>
        new Promise<void>((resolve) => {
          calls++;
          release = resolve;
        }),
      () => {},
      0,
    );
    for (let i = 0; i < 100; i++) trigger();
    expect(calls).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2); // the one queued behind
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2);
  });
  it('spaces calls by the minimum interval', async () => {
    let calls = 0;
    const trigger = coalescedTrigger(async () => {
      calls++;
    }, () => {}, 50);
    trigger();
    await new Promise((r) => setTimeout(r, 5));
    trigger();
    await new Promise((r) => setTimeout(r, 5));
    expect(calls).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toBe(2);
  });
  it('reports a failed send and keeps working', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const trigger = coalescedTrigger(async () => {
      n++;
      if (n === 1) throw new Error('queue down');
    }, (e) => errors.push(e), 0);
    trigger();
    await new Promise((r) => setTimeout(r, 0));
    trigger();
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
    expect(n).toBe(2);
  });
});
