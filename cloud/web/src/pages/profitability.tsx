import { useState } from 'preact/hooks';
import { isStaff, session } from '../auth';
import { useT } from '../i18n';
import { useStore } from '../store';
import { ProfitCalculator } from './profit-calculator';
import type { CalculationBody } from './profit-form';
import { ProfitHeatmap } from './profit-heatmap';
import { ProfitLive } from './profit-live';
import { type CalculationResult, usedNumber } from './profit-types';

/**
 * Calculator, heatmap and live site profitability. The heatmap and the live figures follow the calculator's last
 * successful request: one set of prices on the whole page.
 */
export function ProfitabilityPage() {
  const t = useT();
  const current = useStore(session);
  const [last, setLast] = useState<{ body: CalculationBody; result: CalculationResult } | undefined>();
  return (
    <div class="profit">
      <h1>{t('profit.title')}</h1>
      <ProfitCalculator onCalculated={(body, result) => setLast({ body, result })} />
      {last && <ProfitHeatmap base={last.body} btcPrice={usedNumber(last.result.inputs.btc_price)} />}
      {/* Site profitability is for the operators; a client's own earnings are in the portal. */}
      {last && current !== null && isStaff(current.role) && <ProfitLive base={last.body} />}
    </div>
  );
}
