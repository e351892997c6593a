/** The setup token travels in the URL fragment (`/setup#token=…`) so it never reaches a server log. */
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
