import { successSchema } from '../../http/envelope.js';

export const customerView = {
  type: 'object',
  required: ['id', 'name', 'contactEmail', 'createdAt', 'minerCount'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    contactEmail: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    /** Miners assigned to this customer. */
    minerCount: { type: 'integer' },
  },
} as const;

export interface CustomerView {
  id: string;
  name: string;
  contactEmail: string;
  createdAt: string;
  minerCount: number;
}

const customerFields = {
  name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
  /** Empty clears it. */
  contactEmail: {
    anyOf: [
      { type: 'string', format: 'email', maxLength: 254 },
      { type: 'string', maxLength: 0 },
    ],
  },
} as const;

export const createCustomerBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: customerFields,
} as const;

export const updateCustomerBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: customerFields,
} as const;

export interface CustomerInput {
  name?: string;
  contactEmail?: string;
}

export const customerResponse = successSchema(customerView);

export const customerListResponse = successSchema({
  type: 'object',
  required: ['customers'],
  additionalProperties: false,
  properties: { customers: { type: 'array', items: customerView } },
});
