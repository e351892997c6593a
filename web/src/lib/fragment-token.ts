import { useEffect, useState } from 'react';

/**
 * Link tokens (setup, invitation, password reset) travel in the URL fragment (`/invite#token=…`) so
 * they never reach a server log or a Referer header.
 */
export function readTokenFromFragment(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token')?.trim();
  return token ? token : null;
}

/** Drops the fragment from the address bar (and so from history and bookmarks). */
export function removeFragmentFromAddressBar(): void {
  if (!window.location.hash) return;
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', `${pathname}${search}`);
}

/**
 * The token of the link that opened this page. Read once, then kept in memory only; the fragment
 * leaves the address bar at once. A new link opened in this same tab changes only the fragment.
 */
export function useFragmentToken(): string | null {
  const [token, setToken] = useState(() => readTokenFromFragment(window.location.hash));
  useEffect(() => {
    removeFragmentFromAddressBar();
    const onHashChange = () => {
      const next = readTokenFromFragment(window.location.hash);
      if (next) setToken(next);
      removeFragmentFromAddressBar();
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
  return token;
}
