import { NotBuilt } from '../ui/not-built';

/** Agents (online, version, last sync, backlog) and enrollment token creation. */
export function AgentsPage() {
  return <NotBuilt />;
}
