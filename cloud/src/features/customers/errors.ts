import { AppError } from '../../http/errors.js';

/** The same answer for a missing customer and another tenant's customer. */
export const customerNotFound = () => new AppError('CUSTOMERS_NOT_FOUND', 404, 'Customer not found');
export const customerNameTaken = () =>
  new AppError('CUSTOMERS_NAME_TAKEN', 409, 'A customer with this name already exists');
export const customerInUse = () =>
  new AppError(
    'CUSTOMERS_IN_USE',
    409,
    'The customer still has miners assigned or user accounts; unassign or remove them first',
  );
