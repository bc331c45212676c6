import type { Db } from '../../db/index.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Principal } from '../../plugins/access.js';
import { isForeignKeyViolation, isUniqueViolation } from '../sites/index.js';
import { customerInUse, customerNameTaken, customerNotFound } from './errors.js';
import {
  type CustomerRow,
  customerReferences,
  deleteCustomer,
  findCustomer,
  insertCustomer,
  listCustomers,
  updateCustomer,
} from './repository.js';
import type { CustomerInput, CustomerView } from './schemas.js';

export function toCustomerView(row: CustomerRow): CustomerView {
  return {
    id: row.id,
    name: row.name,
    contactEmail: row.contact_email,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    minerCount: Number(row.miner_count ?? 0),
  };
}

async function translated<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw customerNameTaken();
    throw error;
  }
}

export async function getCustomers(db: Db, principal: Principal): Promise<CustomerView[]> {
  return (await listCustomers(db, principal.tenantId)).map(toCustomerView);
}

export async function getCustomer(db: Db, principal: Principal, id: string): Promise<CustomerView> {
  const row = await findCustomer(db, principal.tenantId, id);
  if (row === undefined) throw customerNotFound();
  return toCustomerView(row);
}

export async function createCustomer(
  db: Db,
  principal: Principal,
  input: CustomerInput & { name: string },
  nowMs: number,
): Promise<CustomerView> {
  const id = uuidv7(nowMs);
  await translated(() =>
    insertCustomer(db, {
      id,
      tenant_id: principal.tenantId,
      name: input.name.trim(),
      contact_email: (input.contactEmail ?? '').toLowerCase(),
      created_at: nowMs,
    }),
  );
  return getCustomer(db, principal, id);
}

export async function changeCustomer(
  db: Db,
  principal: Principal,
  id: string,
  input: CustomerInput,
): Promise<CustomerView> {
  const changes = {
    ...(input.name === undefined ? {} : { name: input.name.trim() }),
    ...(input.contactEmail === undefined ? {} : { contact_email: input.contactEmail.toLowerCase() }),
  };
  const updated = await translated(() => updateCustomer(db, principal.tenantId, id, changes));
  if (!updated) throw customerNotFound();
  return getCustomer(db, principal, id);
}

/** Refused while miners are assigned to it or users belong to it. */
export async function removeCustomer(db: Db, principal: Principal, id: string): Promise<void> {
  if ((await findCustomer(db, principal.tenantId, id)) === undefined) throw customerNotFound();
  if ((await customerReferences(db, principal.tenantId, id)) > 0) throw customerInUse();
  try {
    if (!(await deleteCustomer(db, principal.tenantId, id))) throw customerNotFound();
  } catch (error) {
    if (isForeignKeyViolation(error)) throw customerInUse();
    throw error;
  }
}
