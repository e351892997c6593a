const PROBE_ORIGIN = 'http://console.invalid';

/** Pages a signed-in user should never be sent back to. */
const ENTRY_PAGES = ['/sign-in', '/setup'];

/**
 * Where to go after signing in. Only a path inside this app is accepted: it must start with a single
 * '/', and contain no backslash or control character (browsers treat '/\\evil.example' like '//').
 * Anything else — absolute URLs, protocol-relative '//host', 'javascript:' — gives the fallback.
 */
export function safeRedirectPath(raw: string | null | undefined, fallback = '/'): string {
  if (!raw || raw.length > 2048) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//')) return fallback;
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  if (ENTRY_PAGES.some((page) => url.pathname === page || url.pathname.startsWith(`${page}/`))) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
