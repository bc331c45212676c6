import { AppError } from '../../http/errors.js';

/** Same answer for an unknown email and a wrong password, so the response does not reveal which emails exist. */
export function invalidCredentials(): AppError {
  return new AppError('AUTH_INVALID_CREDENTIALS', 401, 'Email or password is incorrect');
}
