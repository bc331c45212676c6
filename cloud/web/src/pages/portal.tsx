import { NotBuilt } from '../ui/not-built';

/** A hosting client's own miners, hashrate and uptime history, earnings and power cost. */
export function PortalPage() {
  return <NotBuilt />;
}
