import { randomInt } from 'node:crypto';
import { paramsInvalid } from './errors.js';

// The command types, their parameters as the API takes them, what each needs of a miner's driver, and the checks
// a JSON schema cannot make (stratum URLs). The JSON schemas (schemas.ts) bound shapes and lengths first.

export const COMMAND_TYPES = [
  'reboot',
  'restart_mining',
  'set_pools',
  'led',
  'power_mode',
  'power_limit_w',
  'wake',
  'update_credentials',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/**
 * Driver capabilities as agents report them in MinerIdentity.capabilities: packages/miners' Capability names
 * (the cloud does not depend on that package; the strings are the contract).
 */
export type Capability =
  | 'reboot'
  | 'restart-mining'
  | 'set-pools'
  | 'led'
  | 'power-mode'
  | 'power-limit'
  | 'sleep'
  | 'set-login';

export const POWER_MODES = ['sleep', 'low', 'normal', 'high'] as const;
export type PowerMode = (typeof POWER_MODES)[number];

/** A pool as the API takes it; the password, if any, goes to the vault and never into the stored params. */
export interface PoolInput {
  url: string;
  user: string;
  password?: string;
}

export type CommandParamsInput =
  | { type: 'reboot' | 'restart_mining' | 'wake'; params?: Record<string, never> }
  | { type: 'set_pools'; params: { pools: PoolInput[] } }
  | { type: 'led'; params: { on: boolean; durationS?: number } }
  | { type: 'power_mode'; params: { mode: PowerMode } }
  | { type: 'power_limit_w'; params: { watts: number } }
  | {
      type: 'update_credentials';
      params: { purpose: 'web' | 'api'; username: string; password?: string; generate?: boolean };
    };

/** A vault credential version, as stored params and targets reference it. */
export interface CredentialRef {
  credentialId: string;
  version: number;
}

/** The params as stored (and shown): the engine's wire shapes, with vault references in place of secrets. */
export type StoredParams =
  | Record<string, never>
  | { pools: { url: string; user: string; password?: CredentialRef }[] }
  | { on: boolean; durationS: number }
  | { mode: PowerMode }
  | { watts: number }
  /** The new login is per target (command_target.credential_*), its password only in the vault. */
  | { purpose: 'web' | 'api'; username: string; generated: boolean };

/** The driver capability (packages/miners) a command needs on every target. */
export function capabilityFor(input: CommandParamsInput): Capability {
  switch (input.type) {
    case 'reboot':
      return 'reboot';
    case 'restart_mining':
      return 'restart-mining';
    case 'set_pools':
      return 'set-pools';
    case 'led':
      return 'led';
    case 'power_mode':
      return input.params.mode === 'sleep' ? 'sleep' : 'power-mode';
    case 'power_limit_w':
      return 'power-limit';
    case 'wake':
      return 'sleep';
    case 'update_credentials':
      return 'set-login';
  }
}

const STRATUM_SCHEMES = new Set([
  'stratum+tcp:',
  'stratum+ssl:',
  'stratum+tls:',
  'stratum2+tcp:',
  'stratum:',
]);
/** Hostname or IPv4 literal; IPv6 literals in brackets. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/i;

/** A pool URL a miner can use: stratum scheme, a host, an explicit port, nothing else (no path, login or query). */
export function checkStratumUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw paramsInvalid('pool url is not a URL (expected stratum+tcp://host:port)');
  }
  if (!STRATUM_SCHEMES.has(url.protocol)) {
    throw paramsInvalid('pool url must use stratum+tcp, stratum+ssl, stratum+tls or stratum2+tcp');
  }
  if (url.username !== '' || url.password !== '') throw paramsInvalid('pool url must not carry a login');
  if (url.port === '') throw paramsInvalid('pool url must name a port');
  if (!HOST.test(url.hostname)) throw paramsInvalid('pool url has an invalid host');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    throw paramsInvalid('pool url must not have a path, query or fragment');
  }
}

/** Checks the schema cannot express; throws COMMANDS_PARAMS_INVALID. */
export function checkParams(input: CommandParamsInput): void {
  if (input.type === 'set_pools') {
    for (const pool of input.params.pools) checkStratumUrl(pool.url);
  }
  if (input.type === 'update_credentials') {
    const { password, generate } = input.params;
    if ((password === undefined) === (generate !== true)) {
      throw paramsInvalid('update_credentials needs exactly one of password or generate: true');
    }
  }
}

const GENERATED_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const GENERATED_LENGTH = 20;

/**
 * What a firmware accepts as a new login password, by agent driver; the driver refuses anything else
 * (MINER_BAD_ARGUMENT), so the cloud checks first and generates within the limit. btminer's admin password is
 * 1-8 letters or digits (WhatsMiner API 2.0.5 update_pwd).
 */
const LOGIN_RULES: Readonly<Record<string, { pattern: RegExp; maxLength: number; rule: string }>> = {
  'whatsminer-btminer': { pattern: /^[A-Za-z0-9]{1,8}$/, maxLength: 8, rule: '1-8 letters or digits' },
};

/** Why `password` cannot be set on a miner of `driver`, or undefined when it can. */
export function loginPasswordProblem(driver: string, password: string): string | undefined {
  const rules = LOGIN_RULES[driver];
  return rules === undefined || rules.pattern.test(password) ? undefined : `${driver} takes ${rules.rule}`;
}

/**
 * A fresh random login password, letters and digits only so every firmware's form takes it: 20 characters
 * (≈115 bits), or the most the miner's firmware accepts (btminer: 8, ≈46 bits — its own limit).
 */
export function generatePassword(driver = ''): string {
  const length = Math.min(GENERATED_LENGTH, LOGIN_RULES[driver]?.maxLength ?? GENERATED_LENGTH);
  let password = '';
  for (let i = 0; i < length; i++) password += GENERATED_ALPHABET[randomInt(GENERATED_ALPHABET.length)];
  return password;
}
