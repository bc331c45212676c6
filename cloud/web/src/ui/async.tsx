import type { ComponentChildren } from 'preact';
import { useT } from '../i18n';

/** What a page shows while its data loads, or when loading failed (with a retry). */
export function Loading() {
  const t = useT();
  return (
    <p class="muted" role="status">
      {t('common.loading')}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const t = useT();
  return (
    <div class="error" role="alert">
      <span>{t('common.errorPrefix', { message: error.message })}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** Loading, error or the children once `data` is there. */
export function Async<T>({
  data,
  error,
  reload,
  children,
}: {
  data: T | undefined;
  error: Error | undefined;
  reload?: () => void;
  children: (data: T) => ComponentChildren;
}) {
  if (data !== undefined) return <>{children(data)}</>;
  if (error !== undefined) return <ErrorBox error={error} {...(reload ? { onRetry: reload } : {})} />;
  return <Loading />;
}
