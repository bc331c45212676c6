/** A miner, agent or command state as a coloured word; the colour is never the only signal. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span class={`badge badge-${status.replace(/[^a-z_]/g, '')}`}>{label ?? status}</span>;
}
