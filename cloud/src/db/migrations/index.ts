import type { Migration } from 'kysely';
import * as initial from './0001_initial.js';
import * as tenancy from './0002_tenancy.js';
import * as authAudit from './0003_auth_audit.js';
import * as agentEnrollment from './0004_agent_enrollment.js';
import * as telemetryHistory from './0005_telemetry_history.js';
import * as events from './0006_events.js';
import * as fleet from './0007_fleet.js';
import * as fleetIndexes from './0008_fleet_indexes.js';
import * as commandSigningKey from './0009_command_signing_key.js';
import * as catalogNetwork from './0010_catalog_network.js';
import * as portal from './0011_portal.js';
import * as vault from './0012_vault.js';
import * as commands from './0013_commands.js';
import * as minerIdentity from './0014_miner_identity.js';
import * as schedules from './0015_schedules.js';
import * as agentSync from './0016_agent_sync.js';
import * as commandTargetMiner from './0017_command_target_miner.js';

/**
 * Every migration, in order of name. Listed in code rather than found by scanning a folder so the compiled
 * dist/ and tsx runs see the same set. Add a new file and one line here; never edit a shipped migration.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_tenancy': tenancy,
  '0003_auth_audit': authAudit,
  '0004_agent_enrollment': agentEnrollment,
  '0005_telemetry_history': telemetryHistory,
  '0006_events': events,
  '0007_fleet': fleet,
  '0008_fleet_indexes': fleetIndexes,
  '0009_command_signing_key': commandSigningKey,
  '0010_catalog_network': catalogNetwork,
  '0011_portal': portal,
  '0012_vault': vault,
  '0013_commands': commands,
  '0014_miner_identity': minerIdentity,
  '0015_schedules': schedules,
  '0016_agent_sync': agentSync,
  '0017_command_target_miner': commandTargetMiner,
};
