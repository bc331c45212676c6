import { successSchema } from '../../http/envelope.js';

export const siteView = {
  type: 'object',
  required: ['id', 'name', 'location', 'timezone', 'createdAt', 'agentCount', 'minerCount'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    location: { type: 'string' },
    /** IANA time zone of the site's local day. */
    timezone: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    agentCount: { type: 'integer' },
    minerCount: { type: 'integer' },
  },
} as const;

export interface SiteView {
  id: string;
  name: string;
  location: string;
  timezone: string;
  createdAt: string;
  agentCount: number;
  minerCount: number;
}

/** Any id-shaped string: a malformed id is simply one that does not exist (404), like another tenant's. */
export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export interface IdParams {
  id: string;
}

const siteFields = {
  name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
  location: { type: 'string', maxLength: 200 },
  timezone: { type: 'string', minLength: 1, maxLength: 64 },
} as const;

export const createSiteBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: siteFields,
} as const;

export const updateSiteBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: siteFields,
} as const;

export interface SiteInput {
  name?: string;
  location?: string;
  timezone?: string;
}

export const siteResponse = successSchema(siteView);

export const siteListResponse = successSchema({
  type: 'object',
  required: ['sites'],
  additionalProperties: false,
  properties: { sites: { type: 'array', items: siteView } },
});

export const deletedResponse = successSchema({
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string' } },
});
