import { NotBuilt } from '../ui/not-built';

/** The tenant's audit log, newest first, with paging. */
export function AuditPage() {
  return <NotBuilt />;
}
