import { NotBuilt } from '../ui/not-built';

/** Miner, site and model credentials: write-only fields, metadata only ever shown. */
export function CredentialsPage() {
  return <NotBuilt />;
}
