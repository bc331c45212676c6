import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// Fastify's one validator coerces types everywhere ("7" → 7, ["admin"] → "admin"), which is right for the
// query string and path, where everything arrives as text, and wrong for JSON bodies, where a wrong type is a
// client bug that must be refused. So bodies get a validator that never coerces. Neither drops unknown
// properties: they are refused (additionalProperties: false) instead of silently ignored.
// ajv-formats is CommonJS whose module.exports is the plugin; TypeScript only sees it under .default.
const addFormats = ajvFormats as unknown as typeof ajvFormats.default;

const common = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;

function build(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({ ...common, coerceTypes });
  addFormats(ajv);
  return ajv;
}

const strict = build(false);
const coercing = build('array');

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema);
