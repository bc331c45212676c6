import type { ComponentChildren } from 'preact';
import { type MessageKey, useT } from '../i18n';
import type { FieldError, Problem } from './profit-form';

const PROBLEM: Record<Problem, MessageKey> = {
  required: 'profit.problemRequired',
  number: 'profit.problemNumber',
  range: 'profit.problemRange',
  integer: 'profit.problemInteger',
  order: 'profit.problemOrder',
};

/**
 * A labelled number field of the profitability forms: its unit in the label, its problem (from the pure form
 * checks) under it and tied to it with aria-describedby, so a screen reader reads why it is invalid.
 */
export function NumberField<F extends string>({
  id,
  field,
  label,
  value,
  errors,
  onInput,
  placeholder,
  hint,
}: {
  id: string;
  field: F;
  label: string;
  value: string;
  errors: readonly FieldError<F>[];
  onInput: (field: F, value: string) => void;
  placeholder?: string | undefined;
  hint?: string | undefined;
}) {
  const t = useT();
  const problem = errors.find((e) => e.field === field)?.problem;
  const described = [problem && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ');
  return (
    <div class="profit-field">
      <label for={id}>
        <span>{label}</span>
      </label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        autocomplete="off"
        value={value}
        placeholder={placeholder}
        aria-invalid={problem !== undefined}
        aria-describedby={described || undefined}
        onInput={(e) => onInput(field, e.currentTarget.value)}
      />
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
      {problem && (
        <small id={`${id}-error`} class="error">
          {t(PROBLEM[problem])}
        </small>
      )}
    </div>
  );
}

/** A labelled choice of the profitability forms, with an optional note under it tied to it for screen readers. */
export function SelectField({
  id,
  label,
  value,
  onChange,
  hint,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <div class="profit-field">
      <label for={id}>
        <span>{label}</span>
      </label>
      <select
        id={id}
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.currentTarget.value)}
      >
        {children}
      </select>
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
}
