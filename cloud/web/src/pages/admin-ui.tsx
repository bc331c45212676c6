import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';

/** `value` once it has stopped changing for `ms` (a search box queries the cloud per pause, not per key). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * A modal <dialog>: opened with showModal (focus moves into it, the page behind is inert), Escape or the close
 * button calls `onClose`. The caller decides whether it is open.
 */
export function Modal({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useMemo(() => `dialog-${Math.random().toString(36).slice(2)}`, []);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class="admin-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Escape: the page decides (the state closes the dialog), so the two never disagree.
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <div class="admin-dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
          {children}
        </>
      )}
    </dialog>
  );
}

/**
 * Asks before something that cannot be undone. Cancel has the focus, so Enter on a reflex does nothing harmful;
 * `onConfirm`'s failure is shown inside the dialog, which stays open for another try.
 */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (open) setError(undefined);
  }, [open]);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      setError(t('common.errorPrefix', { message: (failure as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={title} onClose={onClose}>
      <p>{message}</p>
      {error !== undefined && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="admin-actions">
        {/* biome-ignore lint/a11y/noAutofocus: the safe choice gets the focus when a destructive dialog opens */}
        <button type="button" autoFocus onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void confirm()}>
          {busy ? t('admin.working') : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}

/** Copies `text` to the clipboard, falling back to selecting `field` and the old copy command. */
export async function copyText(text: string, field: HTMLInputElement | HTMLTextAreaElement | null) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (field === null) return false;
    field.focus();
    field.select();
    return document.execCommand('copy');
  }
}
