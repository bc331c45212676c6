import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { nearEnd, rowWindow } from './window';

export interface Column<T> {
  id: string;
  /** The content of the column's <th scope="col"> (a sort button, a checkbox, a word). */
  header: ComponentChildren;
  /** Fixed width in px: rows come and go while scrolling, columns must not jump. */
  width: number;
  /** For sortable columns: what the <th> announces. */
  ariaSort?: 'ascending' | 'descending' | 'none';
  cell: (row: T) => ComponentChildren;
}

/**
 * A table that renders only the rows in view (plus `overscan` on each side) with a fixed row height, so 10,000
 * loaded rows cost the DOM a few dozen. It stays a real <table> (header cells, row indexes for screen readers);
 * empty rows above and below stand in for the rows not rendered. The scroll box is focusable, so arrow and page
 * keys scroll it, and `onNearEnd` asks for more rows before the reader reaches the last loaded one.
 */
export function VirtualTable<T>({
  rows,
  rowKey,
  columns,
  label,
  more = false,
  busy = false,
  rowHeight = 40,
  overscan = 8,
  onNearEnd,
  onRowsRendered,
  rowClass,
}: {
  rows: readonly T[];
  rowKey: (row: T) => string;
  columns: readonly Column<T>[];
  /** The table's accessible name (also its caption, visually hidden). */
  label: string;
  /** More rows exist beyond the loaded ones (the row count is then unknown to assistive technology). */
  more?: boolean;
  /** The rows shown are being replaced (a new sort or filter is loading). */
  busy?: boolean;
  rowHeight?: number;
  overscan?: number;
  onNearEnd?: () => void;
  /** Called after rows are in the DOM (each render that has some). */
  onRowsRendered?: () => void;
  rowClass?: (row: T) => string | undefined;
}) {
  const box = useRef<HTMLElement>(null);
  const [view, setView] = useState({ scrollTop: 0, height: 600 });
  const frame = useRef(0);

  useLayoutEffect(() => {
    const element = box.current;
    if (element === null) return;
    const measure = () => setView({ scrollTop: element.scrollTop, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame.current);
    };
  }, []);

  // One state update per animation frame however fast the scroll events come.
  const onScroll = () => {
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const element = box.current;
      if (element !== null) setView({ scrollTop: element.scrollTop, height: element.clientHeight });
    });
  };

  const span = rowWindow({
    scrollTop: view.scrollTop,
    viewportHeight: view.height,
    rowHeight,
    rowCount: rows.length,
    overscan,
  });
  const visible = rows.slice(span.start, span.end);
  const wantMore = more && nearEnd(span, rows.length, overscan * 4);

  useEffect(() => {
    if (wantMore) onNearEnd?.();
  }, [wantMore, rows.length]);

  useLayoutEffect(() => {
    if (visible.length > 0) onRowsRendered?.();
  });

  const width = columns.reduce((sum, column) => sum + column.width, 0);
  const spacer = (height: number, key: string) =>
    height > 0 && (
      // biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty spacer row, nothing in it can take focus
      <tr key={key} aria-hidden="true" class="vtable-spacer" style={{ height: `${height}px` }}>
        <td colSpan={columns.length} />
      </tr>
    );

  return (
    <section
      ref={box}
      class={busy ? 'vtable busy' : 'vtable'}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll box must take focus so keys can scroll it
      tabIndex={0}
      aria-label={label}
      aria-busy={busy}
      onScroll={onScroll}
    >
      <table style={{ width: `${width}px` }} aria-rowcount={more ? -1 : rows.length + 1}>
        <caption class="visually-hidden">{label}</caption>
        <colgroup>
          {columns.map((column) => (
            <col key={column.id} style={{ width: `${column.width}px` }} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((column) => (
              <th key={column.id} scope="col" aria-sort={column.ariaSort}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {spacer(span.before, 'before')}
          {visible.map((row, i) => (
            <tr
              key={rowKey(row)}
              aria-rowindex={span.start + i + 2}
              class={rowClass?.(row)}
              style={{ height: `${rowHeight}px` }}
            >
              {columns.map((column) => (
                <td key={column.id}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
          {spacer(span.after, 'after')}
        </tbody>
      </table>
    </section>
  );
}
