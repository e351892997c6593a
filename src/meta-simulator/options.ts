/**
 * Simulator options with their defaults applied, including the best guesses for the behaviours
 * the platform reference marks unconfirmed (each overridable through `unconfirmed`).
 */
import { randomInt } from 'node:crypto';
import type { ResolvedSimulatorOptions, SimulatorOptions } from './types.js';

/** Seconds in a day. */
export const DAY_S = 86_400;

/** Applies the defaults, including the unconfirmed behaviours' best guesses. */
export function resolveSimulatorOptions(o: SimulatorOptions): ResolvedSimulatorOptions {
  return {
    appId: o.appId,
    appSecret: o.appSecret,
    appName: o.appName ?? 'CRM Console (sandbox)',
    logger: o.logger,
    latencyMs: o.latencyMs ?? 0,
    now: o.now ?? (() => new Date()),
    codeTtlMs: o.codeTtlMs ?? 30_000,
    tokenTtlSeconds: o.tokenTtlSeconds === undefined ? 60 * DAY_S : o.tokenTtlSeconds,
    slowLatencyMs: o.slowLatencyMs ?? 3_000,
    rateLimitCode: o.rateLimitCode ?? 80007,
    rateLimitTimes: o.rateLimitTimes ?? 1,
    serverErrorTimes: o.serverErrorTimes ?? Number.POSITIVE_INFINITY,
    rateLimitRegainMinutes: o.rateLimitRegainMinutes ?? 0,
    existingPin: o.existingPin ?? '246810',
    registerLimit: o.registerLimit ?? { max: 10, windowMs: 72 * 3_600_000 },
    appCallbackUrl: o.appCallbackUrl,
    unconfirmed: {
      badSecretCode: 1,
      badClientIdCode: 101,
      redirectUriRequiredWhenMinted: true,
      omitExpiresInForNeverExpiring: true,
      uncoveredAssetError: 'permission_200',
      businessNodeReadable: true,
      debugTokenUserId: 'system_user',
      includeIssuedAt: true,
      coexistenceRegister: 'error',
      consumeCodeOnFailedExchange: false,
      ...o.unconfirmed,
    },
  };
}

/** A random decimal id of `n` digits (no leading zero), like Meta's. */
export function randomDigits(n: number): string {
  return String(randomInt(1, 10)) + Array.from({ length: n - 1 }, () => randomInt(0, 10)).join('');
}
