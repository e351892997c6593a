/**
 * Signed device cookies (OWASP "device cookies" against account lockout abuse): a browser that has
 * signed in to an account carries `<deviceId>.<userId>.<hmac>`; such a browser is exempt from that
 * account's lock and is locked on its own counter instead.
 */
import { createHmac } from 'node:crypto';
import { newToken, safeEqual } from '../../lib/tokens.js';

export const DEVICE_COOKIE = 'crm_device';
export const DEVICE_COOKIE_MAX_AGE_S = 180 * 24 * 3600;

export interface DeviceClaim {
  deviceId: string;
  userId: string;
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** A fresh cookie value for `userId`. */
export function issueDeviceCookie(key: Buffer, userId: string): string {
  const payload = `${newToken(16)}.${userId}`;
  return `${payload}.${sign(key, payload)}`;
}

/** The claim in a cookie value, or null when it is malformed or its signature is wrong. */
export function readDeviceCookie(key: Buffer, value: string | undefined): DeviceClaim | null {
  if (!value) return null;
  const parts = value.split('.');
  if (parts.length !== 3) return null;
  const [deviceId, userId, sig] = parts as [string, string, string];
  if (!safeEqual(sig, sign(key, `${deviceId}.${userId}`))) return null;
  return { deviceId, userId };
}
