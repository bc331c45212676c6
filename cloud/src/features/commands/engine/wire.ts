import { randomBytes } from 'node:crypto';
import { hashinsight } from '@hashinsight/protocol';
import { type SigningKey, signCommand } from '@hashinsight/vault';

// The one place a stored command becomes bytes on an agent's command topic. Pure apart from the nonce: the
// dispatcher stores every field it signs (command_dispatch), so the same message can be rebuilt and resent
// byte for byte (Ed25519 is deterministic) — the agent's journal then refuses it as a replay if it had it.

const { PowerMode } = hashinsight.v1;

/** A version of a vault credential, as a command references it. */
export interface CredentialRef {
  credentialId: string;
  version: number;
}

/** What one wire message asks the agent to do (the cloud's command types, plus the engine's cancel). */
export type WireAction =
  | { type: 'reboot' }
  | { type: 'restart_mining' }
  | { type: 'wake' }
  | {
      type: 'set_pools';
      /** Pool passwords travel as sealed credentials sent before the command; here only their id. */
      pools: { url: string; user: string; password?: CredentialRef | undefined }[];
    }
  | { type: 'led'; on: boolean; durationS: number }
  | { type: 'power_mode'; mode: 'sleep' | 'low' | 'normal' | 'high' }
  | { type: 'power_limit_w'; watts: number }
  | { type: 'update_credentials'; credential: CredentialRef }
  /** Cancels the not-yet-started targets of an earlier wire message (its dispatch id). */
  | { type: 'cancel'; dispatchId: string };

/** The signed envelope of one wire message: one agent, some of its miners, a fresh id and nonce. */
export interface WireEnvelope {
  /** command_dispatch.id: the wire command id the agent reports back. */
  dispatchId: string;
  agentId: string;
  minerIds: readonly string[];
  /** 16 random bytes. */
  nonce: Uint8Array;
  issuedAtMs: number;
  expiresAtMs: number;
  /** 0: the agent's default. */
  effectTimeoutS: number;
}

export const NONCE_BYTES = 16;

export function newNonce(): Uint8Array {
  return randomBytes(NONCE_BYTES);
}

const POWER_MODES = {
  sleep: PowerMode.POWER_MODE_SLEEP,
  low: PowerMode.POWER_MODE_LOW,
  normal: PowerMode.POWER_MODE_NORMAL,
  high: PowerMode.POWER_MODE_HIGH,
} as const;

type ActionFields = Pick<
  hashinsight.v1.Command.$Properties,
  | 'reboot'
  | 'restartMining'
  | 'setPools'
  | 'setLed'
  | 'setPowerMode'
  | 'setPowerLimit'
  | 'wake'
  | 'updateCredentials'
  | 'cancel'
>;

/** The proto oneof member for an action. */
export function actionFields(action: WireAction): ActionFields {
  switch (action.type) {
    case 'reboot':
      return { reboot: {} };
    case 'restart_mining':
      return { restartMining: {} };
    case 'wake':
      return { wake: {} };
    case 'set_pools':
      return {
        setPools: {
          pools: action.pools.map((pool) => ({
            url: pool.url,
            user: pool.user,
            passwordCredentialId: pool.password?.credentialId ?? '',
          })),
        },
      };
    case 'led':
      return { setLed: { on: action.on, durationS: action.on ? action.durationS : 0 } };
    case 'power_mode':
      return { setPowerMode: { mode: POWER_MODES[action.mode] } };
    case 'power_limit_w':
      return { setPowerLimit: { watts: action.watts } };
    case 'update_credentials':
      return {
        updateCredentials: {
          credentialId: action.credential.credentialId,
          credentialVersion: action.credential.version,
        },
      };
    case 'cancel':
      return { cancel: { commandId: action.dispatchId } };
  }
}

/** Encodes and signs one wire message. Throws ProtocolError for fields the contract refuses. */
export function signedMessage(envelope: WireEnvelope, action: WireAction, key: SigningKey): Uint8Array {
  return signCommand(
    {
      commandId: envelope.dispatchId,
      minerIds: [...envelope.minerIds],
      issuedAtMs: envelope.issuedAtMs,
      expiresAtMs: envelope.expiresAtMs,
      agentId: envelope.agentId,
      nonce: envelope.nonce,
      effectTimeoutS: envelope.effectTimeoutS,
      ...actionFields(action),
    },
    key,
  );
}

/** The vault credentials the agent must hold (sent sealed, before the message) to run `action`. */
export function credentialsOf(action: WireAction): CredentialRef[] {
  if (action.type === 'update_credentials') return [action.credential];
  if (action.type === 'set_pools')
    return action.pools.flatMap((pool) => (pool.password ? [pool.password] : []));
  return [];
}
