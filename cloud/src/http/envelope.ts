// Every HTTP response is an envelope: { success: true, data, timestamp } or
// { success: false, error, code, timestamp }; timestamp is ISO 8601 UTC.

export interface Success<T> {
  success: true;
  data: T;
  timestamp: string;
}

export interface Failure {
  success: false;
  error: string;
  code: string;
  timestamp: string;
}

export function ok<T>(data: T): Success<T> {
  return { success: true, data, timestamp: new Date().toISOString() };
}

export function failure(code: string, error: string): Failure {
  return { success: false, error, code, timestamp: new Date().toISOString() };
}

/** JSON Schema of a success envelope around `data`, for route response schemas. */
export function successSchema(data: Record<string, unknown>) {
  return {
    type: 'object',
    required: ['success', 'data', 'timestamp'],
    properties: {
      success: { type: 'boolean', const: true },
      data,
      timestamp: { type: 'string', format: 'date-time' },
    },
  } as const;
}
