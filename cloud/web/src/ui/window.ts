/**
 * The maths of a virtualised list with fixed row height: which rows to put in the DOM for a scroll position, and
 * when the reader is close enough to the end to fetch more. Pure, so it is tested in Node.
 */
export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  rowCount: number;
  /** Rows rendered beyond each edge of the viewport, so a quick scroll or a Tab lands on a row already there. */
  overscan: number;
}

export interface RowWindow {
  /** First row index rendered (inclusive). */
  start: number;
  /** Last row index rendered (exclusive). */
  end: number;
  /** Height of the empty space standing in for the rows before `start`. */
  before: number;
  /** Height of the empty space standing in for the rows from `end` on. */
  after: number;
}

const whole = (value: number): number => (Number.isFinite(value) ? Math.max(0, Math.floor(value)) : 0);

export function rowWindow(input: WindowInput): RowWindow {
  const rowHeight = input.rowHeight > 0 ? input.rowHeight : 1;
  const count = whole(input.rowCount);
  const overscan = whole(input.overscan);
  // A scroll position past the end (rows were removed by a refresh) still shows the last rows.
  const top = Math.min(whole(input.scrollTop), count * rowHeight);
  const firstVisible = Math.floor(top / rowHeight);
  const visible = Math.ceil(whole(input.viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count, firstVisible - overscan));
  const end = Math.min(count, firstVisible + visible + overscan);
  return {
    start,
    end: Math.max(start, end),
    before: start * rowHeight,
    after: (count - Math.max(start, end)) * rowHeight,
  };
}

/** True when fewer than `threshold` rows are left below the rendered window: time to load the next page. */
export function nearEnd(window: RowWindow, rowCount: number, threshold: number): boolean {
  return rowCount - window.end < threshold;
}
