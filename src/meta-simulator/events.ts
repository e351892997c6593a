/**
 * The simulator's outbound side: it POSTs signed webhooks and app callbacks to the app the way Meta
 * does (platform reference §7.2, §8), and keeps every delivery attempt in memory for inspection.
 *
 * - Webhooks: JSON serialised with Meta's escaping, `X-Hub-Signature-256` over exactly the bytes
 *   sent. Callbacks: form-encoded `signed_request`.
 * - Anything but a 200 (or a network error or timeout) is retried: at once, then with growing
 *   delays. Meta keeps trying for days; the sandbox bounds it (default 5 tries over about a minute).
 * - `send*` resolves after the first attempt; retries continue in the background until delivered,
 *   given up, or `close()`.
 *
 * `SimulatorEvents` joins a sender to a simulator: it builds bodies from the simulator's world and
 * applies what the event means to that world (a quality drop shows in later lookups; a removed app
 * revokes the tokens it had), so the app's follow-up Graph calls agree with what it was told.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import {
  buildWebhookBody,
  callbackPayload,
  hubSignature,
  metaJson,
  phoneOf,
  signedRequest,
  type EventSpec,
  type WebhookBody,
} from './event-builders.js';
import type { MetaSimulator } from './simulator.js';

/** One POST of a delivery. */
export interface DeliveryAttempt {
  /** 1-based */
  n: number;
  at: Date;
  /** HTTP status, or null when no answer came (network error, timeout) */
  status: number | null;
  error: string | null;
  durationMs: number;
}

export type DeliveryKind = 'webhook' | 'deauthorize' | 'data_deletion';
export type DeliveryState = 'pending' | 'delivered' | 'gave_up' | 'cancelled';

/** One event sent to one target, with every attempt so far. */
export interface Delivery {
  id: string;
  kind: DeliveryKind;
  target: string;
  contentType: string;
  /** the exact bytes sent (what the signature covers) */
  body: string;
  headers: Record<string, string>;
  createdAt: Date;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  /** the last answer's body (first 2,000 characters), e.g. the data deletion confirmation */
  lastResponse: string | null;
  /** settles when the delivery is delivered, given up or cancelled */
  done: Promise<Delivery>;
}

/** Options of the sender. Only appSecret is required. */
export interface EventSenderOptions {
  appSecret: string;
  /**
   * Delays before the 2nd, 3rd, ... attempt; its length + 1 is the number of tries. Meta retries
   * immediately, then backs off. Default [0, 5 s, 15 s, 40 s]: 5 tries over about a minute.
   */
  retryDelaysMs?: readonly number[];
  /** per attempt (default 5 s) */
  timeoutMs?: number;
  /** how many deliveries are kept for inspection, newest first (default 200) */
  keep?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  logger?: Logger | undefined;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [0, 5_000, 15_000, 40_000];

interface Internal {
  delivery: Delivery;
  timer: NodeJS.Timeout | null;
  settle: (d: Delivery) => void;
}

/** Sends signed bodies with Meta's retry behaviour and records each attempt. */
export class EventSender {
  private readonly delays: readonly number[];
  private readonly timeoutMs: number;
  private readonly keep: number;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => Date;
  private readonly live = new Map<string, Internal>();
  private readonly history: Delivery[] = [];
  private closed = false;

  constructor(private readonly opts: EventSenderOptions) {
    this.delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.keep = opts.keep ?? 200;
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? (() => new Date());
  }

  /** POSTs a webhook body (an envelope, or bytes already serialised) signed with X-Hub-Signature-256. */
  sendWebhook(target: string, body: WebhookBody | string): Promise<Delivery> {
    const bytes = typeof body === 'string' ? body : metaJson(body);
    return this.deliver({
      kind: 'webhook',
      target,
      contentType: 'application/json',
      body: bytes,
      headers: { 'x-hub-signature-256': hubSignature(this.opts.appSecret, bytes) },
    });
  }

  /** POSTs a deauthorize or data deletion callback for a Meta user id (form field signed_request). */
  sendCallback(target: string, kind: 'deauthorize' | 'data_deletion', userId: string): Promise<Delivery> {
    const sr = signedRequest(this.opts.appSecret, callbackPayload(kind, userId, this.now()));
    return this.deliver({ kind, target, contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams({ signed_request: sr }).toString(), headers: {} });
  }

  /** Sends any body; resolves after the first attempt. */
  async deliver(d: Pick<Delivery, 'kind' | 'target' | 'contentType' | 'body' | 'headers'>): Promise<Delivery> {
    if (this.closed) throw new Error('the event sender is closed');
    let settle!: (d: Delivery) => void;
    const done = new Promise<Delivery>((resolve) => (settle = resolve));
    const delivery: Delivery = { ...d, id: randomUUID(), createdAt: this.now(), state: 'pending', attempts: [], lastResponse: null, done };
    const internal: Internal = { delivery, timer: null, settle };
    this.live.set(delivery.id, internal);
    this.history.unshift(delivery);
    this.history.length = Math.min(this.history.length, this.keep);
    await this.attempt(internal);
    return delivery;
  }

  /** Deliveries, newest first. */
  deliveries(): readonly Delivery[] {
    return this.history;
  }

  /** One delivery by id. */
  delivery(id: string): Delivery | undefined {
    return this.history.find((d) => d.id === id);
  }

  /** Stops every pending retry (their deliveries end `cancelled`); later sends are refused. */
  close(): void {
    this.closed = true;
    for (const i of this.live.values()) {
      if (i.timer) clearTimeout(i.timer);
      this.finish(i, 'cancelled');
    }
  }

  private finish(i: Internal, state: DeliveryState): void {
    i.delivery.state = state;
    i.timer = null;
    this.live.delete(i.delivery.id);
    i.settle(i.delivery);
  }

  private async attempt(i: Internal): Promise<void> {
    const d = i.delivery;
    const at = this.now();
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.fetchFn(d.target, {
        method: 'POST',
        headers: { 'content-type': d.contentType, 'user-agent': 'facebookexternalua', ...d.headers },
        body: d.body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'manual',
      });
      status = res.status;
      d.lastResponse = (await res.text().catch(() => '')).slice(0, 2_000);
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    d.attempts.push({ n: d.attempts.length + 1, at, status, error, durationMs: Math.round(performance.now() - started) });
    if (d.state !== 'pending') return; // closed while the request was in flight
    if (status === 200) return this.finish(i, 'delivered');
    const delay = this.delays[d.attempts.length - 1];
    if (delay === undefined || this.closed) {
      this.opts.logger?.warn({ simulator: { delivery: d.id, kind: d.kind, attempts: d.attempts.length, status } }, 'simulator gave up a delivery');
      return this.finish(i, 'gave_up');
    }
    i.timer = setTimeout(() => {
      i.timer = null;
      void this.attempt(i);
    }, delay);
    i.timer.unref?.();
  }
}

/** What `SimulatorEvents.webhook` takes: a spec, plus where the world's quality should end up. */
export interface WebhookSendSpec extends EventSpec {
  /** phone_number_quality_update: the quality rating later lookups show (default: RED on FLAGGED/DOWNGRADE, GREEN on UNFLAGGED/UPGRADE) */
  quality?: 'GREEN' | 'YELLOW' | 'RED';
}

/** A sender bound to a simulator: builds from its world, applies the event to it, then sends. */
export class SimulatorEvents {
  readonly sender: EventSender;

  constructor(private readonly sim: MetaSimulator, opts: Omit<EventSenderOptions, 'appSecret' | 'now' | 'logger'> = {}) {
    this.sender = new EventSender({ ...opts, appSecret: sim.options.appSecret, now: () => sim.now(), logger: sim.options.logger });
  }

  /** Builds the webhook body for a spec from the world (no side effects). */
  build(spec: EventSpec): WebhookBody {
    return buildWebhookBody({ world: this.sim.world, now: this.sim.now(), appId: this.sim.options.appId }, spec);
  }

  /** Builds, applies to the world, and sends one webhook body. */
  async webhook(target: string, spec: WebhookSendSpec): Promise<Delivery> {
    const body = this.build(spec);
    this.apply(spec);
    return this.sender.sendWebhook(target, body);
  }

  /** Sends a deauthorize or data deletion callback; deauthorize revokes the person's tokens first. */
  async callback(target: string, kind: 'deauthorize' | 'data_deletion', userId: string): Promise<Delivery> {
    this.sim.revokeTokens({ userId }, 'app_removed');
    return this.sender.sendCallback(target, kind, userId);
  }

  /** What the event means for the simulated Meta, so later Graph calls agree with the webhook. */
  private apply(spec: WebhookSendSpec): void {
    const event = spec.event;
    if (spec.field === 'phone_number_quality_update') {
      const quality = spec.quality ?? (event === undefined || event === 'FLAGGED' || event === 'DOWNGRADE' ? 'RED' : event === 'UNFLAGGED' || event === 'UPGRADE' ? 'GREEN' : undefined);
      if (quality) phoneOf(this.sim, spec.wabaId, spec.phoneNumberId).qualityRating = quality;
    }
    if (spec.field === 'account_update' && (event === 'PARTNER_APP_UNINSTALLED' || event === 'PARTNER_REMOVED' || event === 'ACCOUNT_DELETED')) {
      // The app no longer reaches the WABA: its tokens stop working and its subscription is gone.
      this.sim.revokeTokens({ wabaId: spec.wabaId }, 'app_removed');
      this.sim.world.wabas.get(spec.wabaId)?.subscriptions.delete(this.sim.options.appId);
    }
  }

  /** Stops background retries. */
  close(): void {
    this.sender.close();
  }
}
