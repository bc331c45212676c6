import { NotBuilt } from '../ui/not-built';

/** One miner: boards, fans, pools, temperature and hashrate history, recent events, its commands. */
export function MinerDetailPage(_props: { agentId: string; minerId: string }) {
  return <NotBuilt />;
}
