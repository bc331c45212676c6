import { NotBuilt } from '../ui/not-built';

/** A hosting client's Portal Lite API keys: create (shown once), list, revoke. */
export function PortalKeysPage() {
  return <NotBuilt />;
}
