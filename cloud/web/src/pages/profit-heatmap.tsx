import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { formatNumber, formatUsd } from '../format';
import { useT } from '../i18n';
import { ErrorBox } from '../ui/async';
import { Heatmap } from '../ui/heatmap';
import { useAction } from '../ui/use-action';
import { type AxisField, type AxisForm, axesFrom, btcAxisAround, DEFAULT_POWER_AXIS } from './profit-axes';
import { NumberField, SelectField } from './profit-fields';
import type { CalculationBody, FieldError } from './profit-form';
import type { HeatmapResult } from './profit-types';

type Metric = 'profit' | 'payback';

/** The index nearest to the calculator's own price, to outline; none when the axis does not reach it. */
function nearest(values: readonly number[], target: number): number | undefined {
  if (target < Math.min(...values) || target > Math.max(...values)) return undefined;
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if (Math.abs((values[i] as number) - target) < Math.abs((values[best] as number) - target)) best = i;
  return best;
}

function mark(grid: HeatmapResult, btcPrice: number | undefined, electricity: number) {
  const row = btcPrice === undefined ? undefined : nearest(grid.btc_prices, btcPrice);
  const column = nearest(grid.electricity_prices, electricity);
  return row === undefined || column === undefined ? undefined : { row, column };
}

/**
 * Daily profit (or payback time) of the calculator's machine over a grid of BTC prices × electricity prices,
 * from POST /api/calculate/heatmap. The BTC axis starts around the price the calculator used.
 */
export function ProfitHeatmap({ base, btcPrice }: { base: CalculationBody; btcPrice: number | undefined }) {
  const t = useT();
  const [axes, setAxes] = useState<AxisForm>(() => ({
    ...btcAxisAround(btcPrice ?? 60_000),
    ...DEFAULT_POWER_AXIS,
  }));
  const [errors, setErrors] = useState<FieldError<AxisField>[]>([]);
  const [metric, setMetric] = useState<Metric>('profit');
  const [grid, setGrid] = useState<HeatmapResult | undefined>();
  const { busy, failure, run } = useAction();

  const load = async (form: AxisForm) => {
    const checked = axesFrom(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors([]);
    // The axes replace the calculator's own BTC and electricity price.
    const { btc_price: _price, electricity_cost: _electricity, ...rest } = base;
    await run(async () => {
      setGrid(
        await api<HeatmapResult>('/api/calculate/heatmap', {
          method: 'POST',
          body: { ...rest, ...checked.value },
        }),
      );
    });
  };
  // Each new calculation redraws the grid for its machine and fees, on the axes as they are.
  useEffect(() => {
    void load(axes);
  }, [base]);

  const set = (field: AxisField, value: string) => setAxes({ ...axes, [field]: value });
  const field = (id: AxisField, label: string) => (
    <NumberField
      id={`heatmap-${id}`}
      field={id}
      label={label}
      value={axes[id]}
      errors={errors}
      onInput={set}
    />
  );
  const maxAbsProfit = grid === undefined ? 1 : Math.max(1e-9, ...grid.daily_profit.flat().map(Math.abs));

  return (
    <section class="card profit-heatmap" aria-labelledby="profit-heatmap-title">
      <h2 id="profit-heatmap-title">{t('profit.heatmap')}</h2>
      <form
        class="profit-axes"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void load(axes);
        }}
      >
        <fieldset>
          <legend>{t('profit.btcAxis')}</legend>
          {field('btcFrom', t('profit.axisFrom'))}
          {field('btcTo', t('profit.axisTo'))}
          {field('btcSteps', t('profit.axisSteps'))}
        </fieldset>
        <fieldset>
          <legend>{t('profit.electricityAxis')}</legend>
          {field('powerFrom', t('profit.axisFrom'))}
          {field('powerTo', t('profit.axisTo'))}
          {field('powerSteps', t('profit.axisSteps'))}
        </fieldset>
        <SelectField
          id="heatmap-metric"
          label={t('profit.metric')}
          value={metric}
          onChange={(value) => setMetric(value as Metric)}
        >
          <option value="profit">{t('profit.metricProfit')}</option>
          <option value="payback">{t('profit.metricPayback')}</option>
        </SelectField>
        <button type="submit" disabled={busy}>
          {t('profit.showHeatmap')}
        </button>
      </form>
      {failure && <ErrorBox error={failure} />}
      {metric === 'payback' && base.hardware_cost_usd === undefined && (
        <p class="muted">{t('profit.paybackNeedsHardware')}</p>
      )}
      {grid && (
        <Heatmap
          caption={t(metric === 'profit' ? 'profit.heatmapCaptionProfit' : 'profit.heatmapCaptionPayback')}
          corner={t('profit.heatmapCorner')}
          rows={grid.btc_prices}
          columns={grid.electricity_prices}
          values={metric === 'profit' ? grid.daily_profit : grid.roi_days}
          formatRow={(price) => formatUsd(price, 0)}
          formatColumn={(price) => t('profit.perKwh', { price: formatUsd(price, 3) })}
          formatValue={(value) =>
            metric === 'profit'
              ? formatUsd(value)
              : value === null
                ? t('profit.never')
                : t('profit.days', { days: formatNumber(value, 0) })
          }
          score={(value) =>
            metric === 'profit'
              ? value === null
                ? null
                : value / maxAbsProfit
              : value === null
                ? -1
                : // Paid back at once is best, in a year and a half neutral, in three years (or never) worst.
                  Math.max(-1, Math.min(1, 1 - value / 547))
          }
          highlight={mark(grid, btcPrice, base.electricity_cost)}
        />
      )}
      {grid && <p class="muted">{t('profit.heatmapLegend')}</p>}
    </section>
  );
}
