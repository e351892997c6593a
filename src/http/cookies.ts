/** Names and attributes of the cookies the app sets. */
import type { FastifyReply } from 'fastify';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_S } from '../features/access/device-cookie.js';

export interface CookieSettings {
  secure: boolean;
  sessionMaxMs: number;
}

/** `__Host-` pins the cookie to this origin and path when served over https. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-crm_session' : 'crm_session';
}

/** Sets the session cookie (HttpOnly, SameSite=Lax, Secure on https). */
export function setSessionCookie(reply: FastifyReply, s: CookieSettings, token: string): void {
  reply.setCookie(sessionCookieName(s.secure), token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: s.secure,
    path: '/',
    maxAge: Math.floor(s.sessionMaxMs / 1000),
  });
}

/** Clears the session cookie. */
export function clearSessionCookie(reply: FastifyReply, s: CookieSettings): void {
  reply.clearCookie(sessionCookieName(s.secure), { path: '/', httpOnly: true, sameSite: 'lax', secure: s.secure });
}

/** Sets the signed device cookie. */
export function setDeviceCookie(reply: FastifyReply, s: CookieSettings, value: string): void {
  reply.setCookie(DEVICE_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: s.secure,
    path: '/api/v1/auth',
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
  });
}
