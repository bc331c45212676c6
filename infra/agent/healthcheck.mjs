// The container's HEALTHCHECK: asks the agent's health endpoint on the port the agent's own settings name (config
// file, environment and defaults, as the daemon reads them), so a healthPort set in the config file is honoured.
// Exit 0 healthy, 1 not (not listening, 503 when the poll loop stalled, or settings the daemon would refuse too).
import { loadAgentConfig } from './agent/dist/config/index.js'; // beside it in /opt/hashinsight

try {
  const { healthPort } = loadAgentConfig(process.env);
  const response = await fetch(`http://127.0.0.1:${healthPort}/healthz`, {
    signal: AbortSignal.timeout(4000),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
