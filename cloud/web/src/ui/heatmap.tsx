/**
 * A two-axis grid of values as an accessible table: row and column headers are real header cells, every cell
 * shows its value as text, and the colour only repeats it (green for good, red for bad, stronger further from
 * neutral). `score` maps a value to -1 (worst) … 0 (neutral) … 1 (best), null for no colour.
 */
export function Heatmap<R, C>({
  caption,
  corner,
  rows,
  columns,
  values,
  formatRow,
  formatColumn,
  formatValue,
  score,
  highlight,
}: {
  caption: string;
  /** Names both axes, in the top-left header cell (e.g. "BTC price ↓ / electricity →"). */
  corner: string;
  rows: readonly R[];
  columns: readonly C[];
  /** values[i][j] at rows[i] and columns[j]. */
  values: readonly (readonly (number | null)[])[];
  formatRow: (row: R) => string;
  formatColumn: (column: C) => string;
  formatValue: (value: number | null) => string;
  score: (value: number | null) => number | null;
  /** A cell to outline (the current prices), by row and column index. */
  highlight?: { row: number; column: number } | undefined;
}) {
  return (
    <div class="table-wrap">
      <table class="heatmap">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col" class="heatmap-corner">
              {corner}
            </th>
            {columns.map((column, j) => (
              <th scope="col" key={j}>
                {formatColumn(column)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <th scope="row">{formatRow(row)}</th>
              {columns.map((_, j) => {
                const value = values[i]?.[j] ?? null;
                const marked = highlight?.row === i && highlight.column === j;
                return (
                  <td
                    key={j}
                    class={marked ? 'heatmap-cell heatmap-mark' : 'heatmap-cell'}
                    style={{ background: heatColour(score(value)) }}
                  >
                    {formatValue(value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A translucent green or red over the panel colour: readable with the normal text colour in light and dark
 * themes (at most 55 % opacity), and the same hue family as the status badges.
 */
function heatColour(score: number | null): string | undefined {
  if (score === null || !Number.isFinite(score) || score === 0) return undefined;
  const strength = Math.min(1, Math.abs(score));
  const alpha = (0.12 + 0.43 * strength).toFixed(2);
  return score > 0 ? `rgb(26 127 55 / ${alpha})` : `rgb(207 34 46 / ${alpha})`;
}
