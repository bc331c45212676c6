import { AppError } from '../../http/errors.js';

/** The same answer for a missing site and another tenant's site. */
export const siteNotFound = () => new AppError('SITES_NOT_FOUND', 404, 'Site not found');
export const siteNameTaken = () =>
  new AppError('SITES_NAME_TAKEN', 409, 'A site with this name already exists');
export const siteInUse = () =>
  new AppError(
    'SITES_IN_USE',
    409,
    'The site still has agents, miners or enrollment tokens; move or remove them first',
  );
export const timezoneInvalid = () =>
  new AppError('SITES_TIMEZONE_INVALID', 400, 'timezone must be an IANA time zone such as Europe/Oslo');
