import { NotBuilt } from '../ui/not-built';

/** One command with live progress per miner (GET /api/commands/:id/events). */
export function CommandDetailPage(_props: { id: string }) {
  return <NotBuilt />;
}
