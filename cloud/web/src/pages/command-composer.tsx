import { NotBuilt } from '../ui/not-built';

/** The miners a command is for, as POST /api/commands names them (exactly one of the four). */
export type CommandTargets =
  | { miners: { agentId: string; minerId: string }[] }
  | { siteId: string }
  | { filter: Record<string, string> };

/**
 * Choose an action and its parameters for `targets`, see the preview (how many miners, which sites, whether a
 * second operator must approve), confirm; then `onCreated` with the new command's id.
 */
export function CommandComposer(_props: {
  targets: CommandTargets;
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  return <NotBuilt />;
}
