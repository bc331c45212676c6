import { NotBuilt } from '../ui/not-built';

/** Calculator, heatmap and live site profitability. */
export function ProfitabilityPage() {
  return <NotBuilt />;
}
