import { formatTime } from '../format';

export interface Series {
  label: string;
  /** CSS colour; pick from the --chart-* variables. */
  color: string;
  points: readonly { t: number; v: number | null }[];
}

/**
 * A time series chart in SVG: one line per series, gaps where a value is null, min/max labels on the value axis
 * and the first/last time on the time axis. `summary` is read by screen readers instead of the drawing.
 */
export function LineChart({
  series,
  format,
  summary,
  height = 180,
}: {
  series: readonly Series[];
  format: (value: number) => string;
  summary: string;
  height?: number;
}) {
  const width = 600;
  const pad = { left: 4, right: 4, top: 8, bottom: 4 };
  const all = series.flatMap((s) => s.points);
  const values = all.map((p) => p.v).filter((v): v is number => v !== null);
  if (values.length === 0) return <p class="muted">{summary}</p>;
  const times = all.map((p) => p.t);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const v0 = Math.min(0, ...values);
  const v1 = Math.max(...values) || 1;
  const x = (t: number) => pad.left + ((t - t0) / (t1 - t0 || 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - v0) / (v1 - v0 || 1)) * (height - pad.top - pad.bottom);
  const path = (points: Series['points']) => {
    let d = '';
    let pen = false;
    for (const p of points) {
      if (p.v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line x1={pad.left} x2={width - pad.right} y1={y(v0)} y2={y(v0)} class="chart-axis" />
        {series.map((s) => (
          <path
            key={s.label}
            d={path(s.points)}
            fill="none"
            stroke={s.color}
            stroke-width="2"
            vector-effect="non-scaling-stroke"
          />
        ))}
      </svg>
      <figcaption class="chart-legend">
        <span class="muted">
          {format(v0)} – {format(v1)}
        </span>
        {series.map((s) => (
          <span key={s.label}>
            <i class="swatch" style={{ background: s.color }} /> {s.label}
          </span>
        ))}
        <span class="muted">
          {formatTime(t0)} – {formatTime(t1)}
        </span>
      </figcaption>
    </figure>
  );
}
