import { NotBuilt } from '../ui/not-built';

/** Commands of the tenant, newest first, and a new command for a whole site or a filter. */
export function CommandsPage() {
  return <NotBuilt />;
}
