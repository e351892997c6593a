/**
 * Protection of the public forms (deletion request, verification) against cross-site posting.
 * They work without JavaScript, so the API's rule (a custom header) cannot apply; instead two
 * independent checks, both required:
 *
 * 1. Origin: the POST's Origin header (or, when a browser sent none, its Referer's origin) must be
 *    PUBLIC_URL's origin. Browsers set Origin on every form POST and pages cannot forge it. The form
 *    pages send `Referrer-Policy: same-origin`, because under the app's default `no-referrer` a
 *    browser sends `Origin: null` even to its own site.
 * 2. A token tied to a cookie: GET of a form page sets a random cookie (HttpOnly, SameSite=Strict,
 *    `__Host-` prefixed over https so a sibling subdomain cannot plant one) and puts
 *    HMAC(key, cookie) in a hidden field. The POST must carry both, matching. A cross-site page can
 *    neither read the cookie nor compute the HMAC (the key comes from the key ring), and SameSite
 *    keeps the cookie off cross-site posts. This also stops scripts that skip the page from
 *    submitting requests in a loop without first fetching it (the rate limits do the rest).
 *
 * Nothing here is a secret worth more than the form: the cookie only proves "this browser loaded the
 * form from this site".
 */
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../http/errors.js';
import { newToken, safeEqual } from '../../../lib/tokens.js';

export interface FormGuardSettings {
  /** PUBLIC_URL's origin */
  publicOrigin: string;
  /** PUBLIC_URL is https: Secure, __Host- cookie */
  secure: boolean;
  /** HMAC key for the hidden field (key ring: derive('privacy-form')) */
  key: Buffer;
}

const COOKIE_BASE = 'crm_privacy_form';
/** A day: long enough to fill in the form, short enough not to linger. */
const COOKIE_MAX_AGE_S = 24 * 3600;

export const formCookieName = (secure: boolean) => (secure ? `__Host-${COOKIE_BASE}` : COOKIE_BASE);

const fieldFor = (key: Buffer, cookie: string) => createHmac('sha256', key).update(`privacy-form:${cookie}`).digest('base64url');

/**
 * For a form page: reuses the browser's cookie when it has a well-formed one (several tabs keep
 * working), else sets a new one; returns the hidden field's value. Also sets the page's referrer policy.
 */
export function issueFormToken(s: FormGuardSettings, req: FastifyRequest, reply: FastifyReply): string {
  const name = formCookieName(s.secure);
  let cookie = req.cookies[name];
  if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) {
    cookie = newToken();
    reply.setCookie(name, cookie, { path: '/', httpOnly: true, sameSite: 'strict', secure: s.secure, maxAge: COOKIE_MAX_AGE_S });
  }
  reply.header('referrer-policy', 'same-origin');
  return fieldFor(s.key, cookie);
}

/** The request's Origin, or its Referer's origin when Origin is absent. */
function originOf(req: FastifyRequest): string | null {
  const origin = req.headers.origin;
  if (typeof origin === 'string') return origin;
  const referer = req.headers.referer;
  if (typeof referer !== 'string') return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

/** For a form POST: throws csrf_failed unless both checks pass. */
export function checkFormPost(s: FormGuardSettings, req: FastifyRequest, formToken: string): void {
  if (originOf(req) !== s.publicOrigin) throw new AppError('csrf_failed', 'This form must be sent from its own page on this site. Open the page again and resend it.');
  const cookie = req.cookies[formCookieName(s.secure)];
  if (!cookie || !formToken || !safeEqual(fieldFor(s.key, cookie), formToken)) {
    throw new AppError('csrf_failed', 'This form has expired or was not loaded from this site. Open the page again and resend it.');
  }
}
