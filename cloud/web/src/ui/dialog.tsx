import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { useT } from '../i18n';
import { ErrorBox } from './async';
import { useAction } from './use-action';

/**
 * The console's one modal <dialog>: shown with showModal while `open` (focus moves into it, the page behind is
 * inert), named by the element `labelledBy`; Escape calls `onClose`, and the caller's state closes it, so the two
 * never disagree. Unmounted while open, it leaves the top layer (focus goes back where it was).
 */
export function Dialog({
  open = true,
  labelledBy,
  class: className,
  onClose,
  children,
}: {
  open?: boolean;
  labelledBy: string;
  class: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  useEffect(() => {
    const dialog = ref.current;
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={className}
      aria-labelledby={labelledBy}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && children}
    </dialog>
  );
}

/** A dialog with a title and a Close button above what it shows (details, a question). */
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
  const titleId = useId();
  return (
    <Dialog open={open} labelledBy={titleId} class="modal" onClose={onClose}>
      <div class="modal-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {children}
    </Dialog>
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
  const { busy, failure, run, forget } = useAction();
  // Each opening starts clean: a failure belongs to the question it answered.
  useEffect(() => {
    if (open) forget();
  }, [open]);
  const confirm = () =>
    run(async () => {
      await onConfirm();
      onClose();
    });
  return (
    <Modal open={open} title={title} onClose={onClose}>
      <p>{message}</p>
      {failure && <ErrorBox error={failure} />}
      <div class="actions">
        {/* biome-ignore lint/a11y/noAutofocus: the safe choice gets the focus when a destructive dialog opens */}
        <button type="button" autoFocus onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void confirm()}>
          {busy ? t('common.working') : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
