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

/** The customer onboarding link cookie: the link's token, for /onboard only, for one hour. */
export const ONBOARD_COOKIE = 'crm_onboard';
const ONBOARD_COOKIE_MAX_AGE_S = 3600;

/** Sets the onboarding link cookie (HttpOnly, SameSite=Lax so the redirect from the link carries it). */
export function setOnboardCookie(reply: FastifyReply, secure: boolean, token: string): void {
  reply.setCookie(ONBOARD_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/onboard', maxAge: ONBOARD_COOKIE_MAX_AGE_S });
}
