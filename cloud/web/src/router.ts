import { createStore, useStore } from './store';

export { matchPath } from './route-match';

/** Where the console is: a path like `/miners/a1/m2` and its query string, read from the address bar. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const read = (): Location => ({
  path: window.location.pathname,
  query: new URLSearchParams(window.location.search),
});

export const location = createStore<Location>(read());
window.addEventListener('popstate', () => location.set(read()));

/** Goes to `to` (a path with an optional query) without reloading; `replace` keeps the back button tidy. */
export function navigate(to: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  location.set(read());
  window.scrollTo(0, 0);
}

export function useLocation(): Location {
  return useStore(location);
}

/** A link that navigates inside the console; ctrl/cmd-click still opens a new tab. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  const anchor = (event.currentTarget ?? event.target) as HTMLAnchorElement;
  const href = anchor.getAttribute('href');
  if (href === null || !href.startsWith('/')) return;
  event.preventDefault();
  navigate(href);
}

/** Replaces some query parameters of the current address (undefined or '' removes one). */
export function setQuery(changes: Record<string, string | undefined>, { replace = true } = {}): void {
  const query = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') query.delete(key);
    else query.set(key, value);
  }
  const search = query.toString();
  navigate(`${window.location.pathname}${search ? `?${search}` : ''}`, { replace });
}
