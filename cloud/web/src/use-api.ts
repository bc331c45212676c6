import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile (live updates call it). */
  reload: () => void;
}

/**
 * GETs `path` (undefined: nothing yet) and follows it when it changes; a reply to an older path is dropped so a
 * fast typist never sees stale results.
 */
export function useApi<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({
    loading: path !== undefined,
  });
  const latest = useRef(0);
  const load = useCallback(() => {
    if (path === undefined) return;
    const id = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    api<T>(path).then(
      (data) => id === latest.current && setState({ data, loading: false }),
      (error: Error) =>
        id === latest.current && setState((previous) => ({ ...previous, error, loading: false })),
    );
  }, [path]);
  useEffect(load, [load]);
  return { data: state.data, error: state.error, loading: state.loading, reload: load };
}
