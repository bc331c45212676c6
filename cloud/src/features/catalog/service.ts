import type { Db } from '../../db/index.js';
import type { Principal } from '../../plugins/access.js';
import { type CatalogCsvRow, modelKey, modelSlug } from './csv.js';
import { modelExists, modelNotFound, modelShipped } from './errors.js';
import {
  deleteTenantModel,
  type ModelRow,
  replaceShippedModels,
  SHIPPED,
  selectModel,
  selectModels,
  upsertTenantModel,
} from './repository.js';

/** A model as the API shows it: the CSV's nameplate figures, with its id, origin and last change. */
export interface CatalogModel extends CatalogCsvRow {
  id: string;
  /** 'shipped': from data/miner-models.csv; 'tenant': added or overridden by the tenant's admins. */
  origin: 'shipped' | 'tenant';
  updatedAt: string;
}

/** What an admin sends to add or update a model. */
export interface ModelInput {
  vendor: string;
  model: string;
  hashrateTh: number;
  powerW: number;
  releaseYear?: number | null;
  cooling: string;
  source?: string;
}

const efficiency = (powerW: number, hashrateTh: number) => Math.round((powerW / hashrateTh) * 100) / 100;

function viewOf(row: ModelRow): CatalogModel {
  return {
    id: row.id,
    vendor: row.vendor,
    model: row.model,
    hashrateTh: Number(row.hashrate_th),
    powerW: Number(row.power_w),
    efficiencyJTh: Number(row.efficiency_j_th),
    releaseYear: row.release_year === null ? null : Number(row.release_year),
    cooling: row.cooling,
    source: row.source,
    origin: row.tenant_id === SHIPPED ? 'shipped' : 'tenant',
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

/** Makes the shipped catalog exactly the CSV's rows (idempotent; ids no longer listed disappear). */
export async function seedShippedCatalog(
  db: Db,
  rows: readonly CatalogCsvRow[],
  nowMs: number,
): Promise<void> {
  const ids = new Set<string>();
  const records = rows.map((row): ModelRow => {
    const id = modelSlug(row.vendor, row.model);
    if (ids.has(id)) throw new Error(`miner catalog CSV lists ${row.vendor} ${row.model} twice`);
    ids.add(id);
    return {
      tenant_id: SHIPPED,
      id,
      vendor: row.vendor,
      model: row.model,
      hashrate_th: row.hashrateTh,
      power_w: row.powerW,
      efficiency_j_th: row.efficiencyJTh,
      release_year: row.releaseYear,
      cooling: row.cooling,
      source: row.source,
      created_at: nowMs,
      updated_at: nowMs,
    };
  });
  await replaceShippedModels(db, records);
}

/** The tenant's effective catalog: shipped models, each replaced by the tenant's override if any, plus its own. */
export async function listModels(db: Db, tenantId: string): Promise<CatalogModel[]> {
  const byId = new Map<string, ModelRow>();
  // Shipped rows come first for each (vendor, model) by the query's order; a tenant row then replaces them.
  for (const row of await selectModels(db, tenantId)) {
    const existing = byId.get(row.id);
    if (existing === undefined || row.tenant_id !== SHIPPED) byId.set(row.id, row);
  }
  return [...byId.values()]
    .map(viewOf)
    .sort((a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model));
}

/** Finds a model of an effective catalog by id or by name (case, spaces and dashes ignored). */
export function findModel(models: readonly CatalogModel[], idOrName: string): CatalogModel | undefined {
  const key = modelKey(idOrName);
  return models.find((m) => m.id === idOrName) ?? models.find((m) => modelKey(m.model) === key);
}

/** Nameplate hashrate and power by the model names miners report (modelKey), for joining fleet rows. */
export function modelIndex(models: readonly CatalogModel[]): Map<string, CatalogModel> {
  return new Map(models.map((m) => [modelKey(m.model), m]));
}

export async function getModel(db: Db, tenantId: string, id: string): Promise<CatalogModel> {
  const row = (await selectModel(db, tenantId, id)) ?? (await selectModel(db, SHIPPED, id));
  if (row === undefined) throw modelNotFound();
  return viewOf(row);
}

function rowOf(tenantId: string, id: string, input: ModelInput, createdAt: number, nowMs: number): ModelRow {
  return {
    tenant_id: tenantId,
    id,
    vendor: input.vendor,
    model: input.model,
    hashrate_th: input.hashrateTh,
    power_w: input.powerW,
    efficiency_j_th: efficiency(input.powerW, input.hashrateTh),
    release_year: input.releaseYear ?? null,
    cooling: input.cooling,
    source: input.source ?? '',
    created_at: createdAt,
    updated_at: nowMs,
  };
}

/** Adds a model to the caller's tenant; 409 when its id (vendor + model) or its name is already in the catalog. */
export async function createModel(
  db: Db,
  caller: Principal,
  input: ModelInput,
  nowMs: number,
): Promise<CatalogModel> {
  const id = modelSlug(input.vendor, input.model);
  const existing = await listModels(db, caller.tenantId);
  if (existing.some((m) => m.id === id || modelKey(m.model) === modelKey(input.model))) throw modelExists();
  const row = rowOf(caller.tenantId, id, input, nowMs, nowMs);
  await upsertTenantModel(db, row);
  return viewOf(row);
}

/**
 * Sets a model's figures for the caller's tenant: its own model is updated, a shipped one gets an override
 * (other tenants keep the shipped figures). The id stays; 404 for an id in neither.
 */
export async function updateModel(
  db: Db,
  caller: Principal,
  id: string,
  input: ModelInput,
  nowMs: number,
): Promise<CatalogModel> {
  const own = await selectModel(db, caller.tenantId, id);
  if (own === undefined && (await selectModel(db, SHIPPED, id)) === undefined) throw modelNotFound();
  const clash = (await listModels(db, caller.tenantId)).find(
    (m) => m.id !== id && modelKey(m.model) === modelKey(input.model),
  );
  if (clash !== undefined) throw modelExists();
  const row = rowOf(caller.tenantId, id, input, own === undefined ? nowMs : Number(own.created_at), nowMs);
  await upsertTenantModel(db, row);
  return viewOf(row);
}

/** Deletes the tenant's own model or its override (the shipped figures then apply again). */
export async function deleteModel(db: Db, caller: Principal, id: string): Promise<void> {
  if (await deleteTenantModel(db, caller.tenantId, id)) return;
  if ((await selectModel(db, SHIPPED, id)) !== undefined) throw modelShipped();
  throw modelNotFound();
}
