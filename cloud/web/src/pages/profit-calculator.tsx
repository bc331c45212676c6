import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { formatHashrate, formatNumber, formatPower, formatUsd } from '../format';
import { type MessageKey, useT } from '../i18n';
import { Async, ErrorBox } from '../ui/async';
import { StatusBadge } from '../ui/status-badge';
import { useAction } from '../ui/use-action';
import { useApi } from '../use-api';
import { NumberField, SelectField } from './profit-fields';
import {
  type CalculationBody,
  type CalculatorForm,
  calculationBody,
  emptyForm,
  type FieldError,
  PAYOUT_SCHEMES,
} from './profit-form';
import { type CalculationResult, type CatalogModel, type UsedInput, usedNumber } from './profit-types';

/** The most efficient machine of the catalog: a sensible first answer before the user picks their own. */
const defaultModel = (models: readonly CatalogModel[]): string =>
  [...models].sort((a, b) => a.efficiencyJTh - b.efficiencyJTh)[0]?.id ?? '';

type NumberKey = Exclude<keyof CalculatorForm, 'model' | 'payoutScheme'>;

const PRICE_FIELDS: { field: NumberKey; label: MessageKey }[] = [
  { field: 'quantity', label: 'profit.quantity' },
  { field: 'electricityCost', label: 'profit.electricityCost' },
  { field: 'poolFeePercent', label: 'profit.poolFee' },
  { field: 'hostingFee', label: 'profit.hostingFee' },
  { field: 'hardwareCostUsd', label: 'profit.hardwareCost' },
];

/**
 * The calculator: a machine (from the catalog, or a custom hashrate and power), prices and optional overrides of
 * the network figures, answered by POST /api/calculate. Calls `onCalculated` with each request that succeeded,
 * so the heatmap and the live figures use the same inputs.
 */
export function ProfitCalculator({
  onCalculated,
}: {
  onCalculated: (body: CalculationBody, result: CalculationResult) => void;
}) {
  const t = useT();
  const catalog = useApi<{ models: CatalogModel[] }>('/api/catalog/models');
  const [form, setForm] = useState<CalculatorForm | undefined>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [result, setResult] = useState<CalculationResult | undefined>();
  const { busy, failure, run: request } = useAction();

  const run = async (current: CalculatorForm) => {
    const checked = calculationBody(current);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors([]);
    await request(async () => {
      const answer = await api<CalculationResult>('/api/calculate', { method: 'POST', body: checked.value });
      setResult(answer);
      onCalculated(checked.value, answer);
    });
  };

  // The first answer comes without a click, for the catalog's best machine at the default prices.
  const models = catalog.data?.models;
  useEffect(() => {
    if (models === undefined || form !== undefined) return;
    const initial = emptyForm(defaultModel(models));
    setForm(initial);
    void run(initial);
  }, [models]);

  if (form === undefined || models === undefined)
    return (
      <section class="card">
        <h2>{t('profit.calculator')}</h2>
        <Async data={undefined} error={catalog.error} reload={catalog.reload}>
          {() => null}
        </Async>
      </section>
    );

  const set = (field: keyof CalculatorForm, value: string) => setForm({ ...form, [field]: value });
  const chosen = models.find((m) => m.id === form.model);
  const vendors = [...new Set(models.map((m) => m.vendor))].sort();
  const network = (key: string) => result?.inputs[key];

  return (
    <section class="card profit-calculator" aria-labelledby="profit-calculator-title">
      <h2 id="profit-calculator-title">{t('profit.calculator')}</h2>
      <div class="profit-columns">
        <form
          class="profit-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void run(form);
          }}
        >
          <SelectField
            id="profit-model"
            label={t('profit.model')}
            value={form.model}
            onChange={(value) => set('model', value)}
            hint={
              chosen &&
              t('profit.modelFigures', {
                hashrate: formatHashrate(chosen.hashrateTh * 1e6),
                power: formatPower(chosen.powerW),
                efficiency: formatNumber(chosen.efficiencyJTh, 1),
              })
            }
          >
            {vendors.map((vendor) => (
              <optgroup key={vendor} label={vendor}>
                {models
                  .filter((m) => m.vendor === vendor)
                  .map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.model}
                    </option>
                  ))}
              </optgroup>
            ))}
            <option value="">{t('profit.customMachine')}</option>
          </SelectField>
          {form.model === '' && (
            <>
              <NumberField
                id="profit-hashrate"
                field="hashrateTh"
                label={t('profit.hashrateTh')}
                value={form.hashrateTh}
                errors={errors}
                onInput={set}
              />
              <NumberField
                id="profit-power"
                field="powerW"
                label={t('profit.powerW')}
                value={form.powerW}
                errors={errors}
                onInput={set}
              />
            </>
          )}
          {PRICE_FIELDS.map(({ field, label }) => (
            <NumberField
              key={field}
              id={`profit-${field}`}
              field={field}
              label={t(label)}
              value={form[field]}
              errors={errors}
              onInput={set}
            />
          ))}
          <details class="profit-advanced">
            <summary>{t('profit.advanced')}</summary>
            <SelectField
              id="profit-payout"
              label={t('profit.payoutScheme')}
              value={form.payoutScheme}
              onChange={(value) => set('payoutScheme', value)}
            >
              <option value="">{t('profit.payoutDefault')}</option>
              {PAYOUT_SCHEMES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </SelectField>
            <NumberField
              id="profit-btc-price"
              field="btcPrice"
              label={t('profit.btcPrice')}
              value={form.btcPrice}
              errors={errors}
              onInput={set}
              hint={t('profit.blankIsCurrent')}
              placeholder={placeholderOf(network('btc_price'), (v) => formatNumber(v, 0))}
            />
            <NumberField
              id="profit-difficulty"
              field="difficulty"
              label={t('profit.difficulty')}
              value={form.difficulty}
              errors={errors}
              onInput={set}
              hint={t('profit.blankIsCurrent')}
              placeholder={placeholderOf(network('difficulty'), (v) => v.toExponential(3))}
            />
          </details>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('profit.calculating') : t('profit.calculate')}
          </button>
          {errors.length > 0 && (
            <p class="error" role="alert">
              {t('profit.fixFields')}
            </p>
          )}
        </form>
        <div class="profit-results">
          {failure && <ErrorBox error={failure} />}
          {result && <Results result={result} />}
        </div>
      </div>
    </section>
  );
}

const placeholderOf = (input: UsedInput | undefined, format: (value: number) => string) => {
  const value = usedNumber(input);
  return value === undefined ? undefined : format(value);
};

function Results({ result: r }: { result: CalculationResult }) {
  const t = useT();
  const loss = r.daily_profit < 0;
  const btcPrice = r.inputs.btc_price;
  const difficulty = r.inputs.difficulty;
  const age = (input: UsedInput | undefined) => {
    const seconds = input?.age_seconds;
    if (seconds === null || seconds === undefined) return '';
    if (seconds < 7200) return t('profit.ageMinutes', { minutes: formatNumber(seconds / 60, 0) });
    if (seconds < 172_800) return t('profit.ageHours', { hours: formatNumber(seconds / 3600, 0) });
    return t('profit.ageDays', { days: formatNumber(seconds / 86_400, 0) });
  };
  return (
    <>
      <p class="profit-headline" aria-live="polite">
        {t(loss ? 'profit.headlineLoss' : 'profit.headlineProfit', {
          amount: formatUsd(Math.abs(r.daily_profit)),
        })}
      </p>
      <dl class="profit-figures">
        <Figure label={t('profit.btcPerDay')} value={`${formatNumber(r.btc_per_day, 8)} BTC`} />
        <Figure label={t('profit.revenuePerDay')} value={formatUsd(r.daily_revenue)} />
        <Figure label={t('profit.electricityPerDay')} value={formatUsd(r.daily_electricity_cost)} />
        {r.daily_hosting_cost > 0 && (
          <Figure label={t('profit.hostingPerDay')} value={formatUsd(r.daily_hosting_cost)} />
        )}
        <Figure
          label={t('profit.profitPerDay')}
          value={formatUsd(r.daily_profit)}
          tone={loss ? 'loss' : 'gain'}
        />
        <Figure
          label={t('profit.profitPerMonth')}
          value={formatUsd(r.monthly_profit)}
          tone={loss ? 'loss' : 'gain'}
        />
        <Figure
          label={t('profit.breakEvenElectricity')}
          value={
            r.break_even_electricity_cost === null
              ? '—'
              : t('profit.perKwh', { price: formatUsd(r.break_even_electricity_cost, 4) })
          }
        />
        <Figure label={t('profit.breakEvenBtc')} value={formatUsd(r.break_even_btc_price, 0)} />
        {r.total_hardware_cost_usd > 0 && (
          <Figure
            label={t('profit.payback')}
            value={
              r.roi_days === null
                ? t('profit.never')
                : t('profit.days', { days: formatNumber(r.roi_days, 0) })
            }
          />
        )}
        <Figure
          label={t('profit.hashprice')}
          value={t('profit.perPhDay', { price: formatUsd(r.hashprice.usd_per_ph_day) })}
        />
        <Figure label={t('profit.totalHashrate')} value={formatHashrate(r.total_hashrate_th * 1e6)} />
        <Figure label={t('profit.totalPower')} value={formatPower(r.total_power_w)} />
        <Figure
          label={t('profit.efficiency')}
          value={r.efficiency_j_th === null ? '—' : `${formatNumber(r.efficiency_j_th, 1)} J/TH`}
        />
      </dl>
      <p class="muted profit-network">
        {t('profit.networkUsed', {
          price: formatUsd(usedNumber(btcPrice), 0),
          priceSource: btcPrice?.source ?? '—',
          difficulty: usedNumber(difficulty)?.toExponential(3) ?? '—',
          difficultySource: difficulty?.source ?? '—',
        })}{' '}
        {age(btcPrice)}{' '}
        <StatusBadge
          status={r.network_status === 'live' ? 'ok' : 'stale'}
          label={networkLabel(t, r.network_status)}
        />
      </p>
    </>
  );
}

const NETWORK: Record<string, MessageKey> = {
  live: 'profit.networkLive',
  partial: 'profit.networkPartial',
  snapshot: 'profit.networkSnapshot',
  static: 'profit.networkStatic',
};

function networkLabel(t: ReturnType<typeof useT>, status: string): string {
  const key = Object.hasOwn(NETWORK, status) ? NETWORK[status] : undefined;
  return key === undefined ? status : t(key);
}

function Figure({ label, value, tone }: { label: string; value: string; tone?: 'gain' | 'loss' }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd class={tone === undefined ? undefined : `profit-${tone}`}>{value}</dd>
    </div>
  );
}
