import { successSchema } from '../../http/envelope.js';
import { API_KEY_ROLES } from './api-keys.js';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

export const loginBody = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export interface LoginBody {
  email: string;
  password: string;
}

export const refreshBody = {
  type: 'object',
  required: ['refreshToken'],
  additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export interface RefreshBody {
  refreshToken: string;
}

export const tokensResponse = successSchema({
  type: 'object',
  required: ['accessToken', 'tokenType', 'expiresIn', 'refreshToken', 'refreshExpiresIn'],
  additionalProperties: false,
  properties: {
    accessToken: { type: 'string' },
    tokenType: { type: 'string', const: 'Bearer' },
    /** Seconds. */
    expiresIn: { type: 'integer' },
    /** Single use: exchange it at POST /api/auth/refresh for a new pair. */
    refreshToken: { type: 'string' },
    /** Seconds. */
    refreshExpiresIn: { type: 'integer' },
  },
});

export const logoutResponse = successSchema({
  type: 'object',
  required: ['loggedOut'],
  additionalProperties: false,
  properties: { loggedOut: { type: 'boolean', const: true } },
});

export const passwordBody = {
  type: 'object',
  required: ['currentPassword', 'newPassword'],
  additionalProperties: false,
  properties: {
    currentPassword: { type: 'string', minLength: 1, maxLength: 1024 },
    newPassword: { type: 'string', minLength: 8, maxLength: 1024 },
  },
} as const;

export interface PasswordBody {
  currentPassword: string;
  newPassword: string;
}

export const passwordResponse = successSchema({
  type: 'object',
  required: ['revokedSessions'],
  additionalProperties: false,
  properties: { revokedSessions: { type: 'integer' } },
});

const apiKey = {
  type: 'object',
  required: ['id', 'name', 'role', 'customerId', 'prefix', 'createdBy', 'createdAt', 'revokedAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    customerId: { type: ['string', 'null'] },
    prefix: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const createApiKeyBody = {
  type: 'object',
  required: ['name', 'role'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    role: { type: 'string', enum: API_KEY_ROLES },
    customerId: { type: 'string', pattern: UUID },
  },
} as const;

export interface CreateApiKeyBody {
  name: string;
  role: (typeof API_KEY_ROLES)[number];
  customerId?: string;
}

export const createdApiKeyResponse = successSchema({
  ...apiKey,
  required: [...apiKey.required, 'key'],
  properties: {
    ...apiKey.properties,
    /** Shown in this response only. */
    key: { type: 'string' },
  },
});

export const apiKeyResponse = successSchema(apiKey);

export const apiKeyListResponse = successSchema({
  type: 'object',
  required: ['apiKeys'],
  additionalProperties: false,
  properties: { apiKeys: { type: 'array', items: apiKey } },
});

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: UUID } },
} as const;

export interface IdParams {
  id: string;
}
