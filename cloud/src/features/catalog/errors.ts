import { AppError } from '../../http/errors.js';

export const modelNotFound = () => new AppError('CATALOG_MODEL_NOT_FOUND', 404, 'Miner model not found');
export const modelExists = () =>
  new AppError('CATALOG_MODEL_EXISTS', 409, 'A model with this vendor and name exists: update it instead');
export const modelShipped = () =>
  new AppError(
    'CATALOG_MODEL_SHIPPED',
    409,
    'Shipped catalog models cannot be deleted; update one to override its figures for your tenant',
  );
