import { useState } from 'react';
import { useLocation, useSearchParams } from 'react-router';

/**
 * A page's filters, kept in the address (shareable, restored by back/forward) but answered at once:
 * React Router applies address changes in a transition, which would make a controlled checkbox or
 * select lag behind the click. The value follows the address whenever the address changes.
 */
export function useUrlState<T>(read: (params: URLSearchParams) => T, write: (value: T) => URLSearchParams): [T, (next: T) => void] {
  const [searchParams, setSearchParams] = useSearchParams();
  const { pathname } = useLocation();
  const url = searchParams.toString();
  const [state, setState] = useState(() => ({ url, value: read(searchParams) }));

  let value = state.value;
  if (state.url !== url) {
    // The address changed (our own write arriving, back/forward, or a link): it is the truth.
    value = read(searchParams);
    setState({ url, value });
  }

  const set = (next: T) => {
    setState((current) => ({ url: current.url, value: next }));
    // A late write (e.g. a debounced search) after the user has already navigated away must not pull
    // them back: the address bar changes at once, this page only when the next one has loaded.
    if (window.location.pathname !== pathname) return;
    setSearchParams(write(next), { replace: true });
  };
  return [value, set];
}
