import { AppError } from '../../http/errors.js';

/** The same answer for a missing schedule or site and another tenant's. */
export const scheduleNotFound = () => new AppError('SCHEDULES_NOT_FOUND', 404, 'Schedule not found');
export const siteNotFound = () => new AppError('SCHEDULES_SITE_NOT_FOUND', 404, 'Site not found');
export const cronInvalid = (reason: string) =>
  new AppError('SCHEDULES_CRON_INVALID', 400, `cron is not a valid expression: ${reason}`);
export const templateInvalid = (reason: string) =>
  new AppError('SCHEDULES_TEMPLATE_INVALID', 400, `command: ${reason}`);
export const secretRefused = () =>
  new AppError(
    'SCHEDULES_SECRET_REFUSED',
    400,
    'A schedule cannot hold a secret: no pool passwords and no update_credentials (send those as commands)',
  );
