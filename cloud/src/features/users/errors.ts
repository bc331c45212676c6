import { AppError } from '../../http/errors.js';

export function userNotFound(): AppError {
  return new AppError('USER_NOT_FOUND', 404, 'User not found');
}

export function emailTakenError(): AppError {
  return new AppError('USER_EMAIL_TAKEN', 409, 'A user with this email already exists');
}

/** The owner is changed by no one but an owner, and never demoted or disabled through the API. */
export function ownerProtected(): AppError {
  return new AppError('USER_OWNER_PROTECTED', 403, 'The owner account cannot be changed this way');
}

export function selfLockout(): AppError {
  return new AppError('USER_SELF_LOCKOUT', 400, 'You cannot change your own role or disable yourself');
}
