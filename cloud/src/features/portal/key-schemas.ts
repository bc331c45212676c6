import { successSchema } from '../../http/envelope.js';

// /api/portal/keys: a hosting client's own Portal Lite API keys. Responses are allow-lists: never a hash, and the
// key itself only in the answer to its creation.

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const keyView = {
  type: 'object',
  required: ['id', 'name', 'prefix', 'createdAt', 'revokedAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    /** The key's first characters, to tell keys apart. */
    prefix: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const createKeyBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    // Shown in lists and logs: at least one visible character, no control characters.
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^(?=.*\\S)[^\\u0000-\\u001f\\u007f]+$' },
  },
} as const;

export interface CreateKeyBody {
  name: string;
}

export const keyParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: UUID } },
} as const;

export const keyListResponse = successSchema({
  type: 'object',
  required: ['keys'],
  additionalProperties: false,
  properties: { keys: { type: 'array', items: keyView } },
});

export const keyResponse = successSchema(keyView);

export const createdKeyResponse = successSchema({
  ...keyView,
  required: [...keyView.required, 'key'],
  properties: { ...keyView.properties, key: { type: 'string' } },
});
