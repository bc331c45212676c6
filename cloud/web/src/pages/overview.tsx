import { NotBuilt } from '../ui/not-built';

/** Fleet overview: total vs expected hashrate, online/offline, efficiency, temperatures, hashrate chart. */
export function OverviewPage() {
  return <NotBuilt />;
}
