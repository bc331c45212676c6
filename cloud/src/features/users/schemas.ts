import { successSchema } from '../../http/envelope.js';
import { ASSIGNABLE_ROLES, type AssignableRole } from './service.js';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const user = {
  type: 'object',
  required: ['id', 'email', 'role', 'customerId', 'disabled', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    customerId: { type: ['string', 'null'] },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const listUsersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** The nextCursor of the previous page. */
    cursor: { type: 'string', pattern: UUID },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
} as const;

export interface ListUsersQuery {
  cursor?: string;
  limit: number;
}

export const userListResponse = successSchema({
  type: 'object',
  required: ['users', 'nextCursor'],
  additionalProperties: false,
  properties: { users: { type: 'array', items: user }, nextCursor: { type: ['string', 'null'] } },
});

export const userResponse = successSchema(user);

export const createUserBody = {
  type: 'object',
  required: ['email', 'role'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    role: { type: 'string', enum: ASSIGNABLE_ROLES },
    customerId: { type: 'string', pattern: UUID },
    /** Omit it to have one generated and returned once. */
    password: { type: 'string', minLength: 8, maxLength: 1024 },
  },
} as const;

export interface CreateUserBody {
  email: string;
  role: AssignableRole;
  customerId?: string;
  password?: string;
}

export const createdUserResponse = successSchema({
  ...user,
  properties: { ...user.properties, generatedPassword: { type: 'string' } },
});

export const updateUserBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    role: { type: 'string', enum: ASSIGNABLE_ROLES },
    customerId: { anyOf: [{ type: 'string', pattern: UUID }, { type: 'null' }] },
    disabled: { type: 'boolean' },
  },
} as const;

export interface UpdateUserBody {
  role?: AssignableRole;
  customerId?: string | null;
  disabled?: boolean;
}

export const userIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: UUID } },
} as const;
