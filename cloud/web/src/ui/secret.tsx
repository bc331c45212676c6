import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';

type Field = HTMLInputElement | HTMLTextAreaElement;

/** Copies `text` to the clipboard; without clipboard access (plain http, a refused permission) `field` is
 * selected and the old copy command tried, so Ctrl+C is all that is left to do. */
async function copyText(text: string, field: Field | null): Promise<boolean> {
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

/** One value of a secret panel: read-only, selected on focus, with its own copy button. */
export interface SecretValue {
  label: string;
  value: string;
  copyLabel: string;
  /** A long value (a command line) in a textarea. */
  multiline?: boolean;
}

/**
 * A secret the cloud shows only once (an enrollment token, a Portal Lite API key): a warning, each value with a
 * copy button, whatever the caller adds (how to use it), and a button that hides it. The first value takes the
 * focus, selected, ready for Ctrl+C. The secret lives in the caller's state only until `onDone`.
 */
export function ShownOnce({
  title,
  level,
  warning,
  values,
  doneLabel,
  onDone,
  children,
}: {
  title: string;
  /** The heading level where the panel stands. */
  level: 2 | 3;
  warning: string;
  values: readonly SecretValue[];
  doneLabel: string;
  onDone: () => void;
  children?: ComponentChildren;
}) {
  const t = useT();
  const id = useId();
  const fields = useRef<(Field | null)[]>([]);
  const [status, setStatus] = useState('');
  useEffect(() => {
    fields.current[0]?.focus();
    fields.current[0]?.select();
  }, []);
  const copy = async (index: number) => {
    const copied = await copyText(values[index]?.value ?? '', fields.current[index] ?? null);
    setStatus(t(copied ? 'common.copied' : 'common.copyFailed'));
  };
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section class="secret" aria-labelledby={`${id}-title`}>
      <Heading id={`${id}-title`}>{title}</Heading>
      <p class="secret-warning" role="alert">
        {warning}
      </p>
      {values.map((value, index) => {
        const props = {
          id: `${id}-${index}`,
          readOnly: true,
          value: value.value,
          autocomplete: 'off',
          spellcheck: false,
          onFocus: (e: FocusEvent) => (e.currentTarget as Field).select(),
        };
        return (
          <div key={value.label} class="secret-field">
            <label for={props.id}>
              <span>{value.label}</span>
            </label>
            <div class="secret-copy-row">
              {value.multiline ? (
                <textarea
                  {...props}
                  rows={3}
                  ref={(element) => {
                    fields.current[index] = element;
                  }}
                />
              ) : (
                <input
                  {...props}
                  ref={(element) => {
                    fields.current[index] = element;
                  }}
                />
              )}
              <button type="button" onClick={() => void copy(index)}>
                {value.copyLabel}
              </button>
            </div>
          </div>
        );
      })}
      <p class="muted" role="status">
        {status}
      </p>
      {children}
      <button type="button" class="primary" onClick={onDone}>
        {doneLabel}
      </button>
    </section>
  );
}
