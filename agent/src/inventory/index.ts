export { idStrength, ipFallbackId, maxTempDc, minerIdFor } from './identity.js';
export {
  Inventory,
  type InventoryEvent,
  type InventoryMiner,
  type MinerState,
  type ScanRecord,
  type UpsertResult,
} from './inventory.js';
