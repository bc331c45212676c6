import { successSchema } from '../../http/envelope.js';

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

export const loginResponse = successSchema({
  type: 'object',
  required: ['accessToken', 'tokenType', 'expiresIn'],
  additionalProperties: false,
  properties: {
    accessToken: { type: 'string' },
    tokenType: { type: 'string', const: 'Bearer' },
    /** Seconds. */
    expiresIn: { type: 'integer' },
  },
});
