import { AppError } from '../../http/errors.js';

export const rangeInvalid = () => new AppError('FLEET_RANGE_INVALID', 400, 'from must be before to');
export const rangeTooLong = (maxPoints: number) =>
  new AppError(
    'FLEET_RANGE_TOO_LONG',
    400,
    `The range holds more than ${maxPoints} points at this resolution: ask for a coarser resolution or a shorter range`,
  );
export const eventsRangeTooLong = (days: number) =>
  new AppError('FLEET_RANGE_TOO_LONG', 400, `Events are read at most ${days} days at a time`);
