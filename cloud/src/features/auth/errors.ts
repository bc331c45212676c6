import { AppError } from '../../http/errors.js';

/** Same answer for an unknown email and a wrong password, so the response does not reveal which emails exist. */
export function invalidCredentials(): AppError {
  return new AppError('AUTH_INVALID_CREDENTIALS', 401, 'Email or password is incorrect');
}

/** Unknown, expired, rotated and revoked refresh tokens all look the same to the client. */
export function invalidRefreshToken(): AppError {
  return new AppError('AUTH_REFRESH_INVALID', 401, 'The refresh token is not valid: log in again');
}

export function sessionRequired(): AppError {
  return new AppError('AUTH_SESSION_REQUIRED', 400, 'This needs a login session, not an API key');
}

export function wrongCurrentPassword(): AppError {
  return new AppError('AUTH_WRONG_PASSWORD', 400, 'The current password is incorrect');
}

export function apiKeyNotFound(): AppError {
  return new AppError('API_KEY_NOT_FOUND', 404, 'API key not found');
}

export function apiKeyLimit(max: number): AppError {
  return new AppError('API_KEY_LIMIT', 409, `At most ${max} active API keys: revoke one first`);
}

export function customerNotFound(): AppError {
  return new AppError('CUSTOMER_NOT_FOUND', 404, 'Customer not found');
}

/** A customer role needs its customer; no other role may name one. */
export function customerMismatch(role: string): AppError {
  return role === 'customer'
    ? new AppError('ROLE_CUSTOMER_REQUIRED', 400, 'The customer role needs a customerId')
    : new AppError('ROLE_CUSTOMER_NOT_ALLOWED', 400, 'Only the customer role takes a customerId');
}
