import type { ComponentChildren } from 'preact';

/** A column header: its words, or `hidden` for words only screen readers need (a column of buttons). */
export type Column = string | { label: string; hidden?: boolean; class?: string };

/**
 * A short table of `items` (for thousands of rows see virtual-table.tsx): the `empty` message when there are none,
 * else a table that scrolls sideways inside .table-wrap on a narrow screen, named by its caption for screen
 * readers, with a header row. A column given as `false` is left out (one only some readers may see).
 */
export function DataTable<T>({
  caption,
  columns,
  items,
  row,
  empty,
}: {
  caption: string;
  columns: readonly (Column | false)[];
  items: readonly T[];
  /** One <tr> with its key. */
  row: (item: T, index: number) => ComponentChildren;
  empty?: string;
}) {
  if (items.length === 0 && empty !== undefined) return <p class="muted">{empty}</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              if (column === false) return null;
              const {
                label,
                hidden = false,
                class: className,
              } = typeof column === 'string' ? { label: column } : column;
              return (
                <th key={label} scope="col" class={className}>
                  {hidden ? <span class="visually-hidden">{label}</span> : label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{items.map(row)}</tbody>
      </table>
    </div>
  );
}
