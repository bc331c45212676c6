import { NotBuilt } from '../ui/not-built';

/** Commands waiting for a second operator; approving binds the canonical hash shown. */
export function ApprovalsPage() {
  return <NotBuilt />;
}
