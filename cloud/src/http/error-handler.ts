import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { failure } from './envelope.js';
import { AppError } from './errors.js';

/** Fastify's own error codes that a client causes, mapped to ours. */
const FASTIFY_CODES: Record<string, { statusCode: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    statusCode: 400,
    code: 'REQUEST_MALFORMED_JSON',
    message: 'Request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    statusCode: 400,
    code: 'REQUEST_MALFORMED_JSON',
    message: 'Request body is empty but Content-Type says JSON',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    statusCode: 413,
    code: 'REQUEST_TOO_LARGE',
    message: 'Request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    statusCode: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Content-Type must be application/json',
  },
};

function classify(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) return new AppError('VALIDATION_FAILED', 400, error.message);
  const known = FASTIFY_CODES[error.code];
  if (known) return new AppError(known.code, known.statusCode, known.message);
  // Other errors Fastify raises for a bad request (e.g. a bad Content-Length) carry a safe message.
  const status = error.statusCode ?? 500;
  if (error.code?.startsWith('FST_') && status >= 400 && status < 500) {
    return new AppError('REQUEST_INVALID', status, error.message);
  }
  return new AppError('INTERNAL_ERROR', 500, 'Internal server error');
}

/**
 * The one error handler: every failure leaves as an error envelope with an AREA_REASON code. 5xx details stay
 * in the log; the client only sees a generic message.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const appError = classify(error);
    if (appError.statusCode >= 500) request.log.error({ err: error, code: appError.code }, 'request failed');
    else request.log.info({ code: appError.code, statusCode: appError.statusCode }, appError.message);
    return reply.status(appError.statusCode).send(failure(appError.code, appError.message));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]?.slice(0, 200);
    return reply.status(404).send(failure('ROUTE_NOT_FOUND', `Route ${request.method} ${path} not found`));
  });
}

/**
 * The router's own errors (a malformed percent-encoding, a path parameter over the router's length limit) never
 * reach the error handler; Fastify would answer them with its own body, echoing the whole URL. Passed to Fastify
 * as `frameworkErrors`, so they leave as envelopes too.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return reply.status(414).send(failure('REQUEST_URI_TOO_LONG', 'A path parameter is too long'));
  }
  return reply.status(400).send(failure('REQUEST_BAD_URL', 'The URL is malformed'));
}
