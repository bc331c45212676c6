import { NotBuilt } from '../ui/not-built';

/** The miner table: sortable, filterable, virtualised for 10,000 miners; selection feeds the command composer. */
export function MinersPage() {
  return <NotBuilt />;
}
