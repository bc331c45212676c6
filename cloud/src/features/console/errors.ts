import { AppError } from '../../http/errors.js';

export const consoleNotBuilt = () =>
  new AppError(
    'CONSOLE_NOT_BUILT',
    503,
    'The web console is not built: run `npm run build` (or `npx tsx scripts/build-web.ts`), then restart the cloud',
  );

export const assetNotFound = () => new AppError('CONSOLE_ASSET_NOT_FOUND', 404, 'No such console asset');

export const streamNotAcceptable = () =>
  new AppError('STREAM_NOT_ACCEPTABLE', 406, 'GET /api/stream answers only `Accept: text/event-stream`');

export const tooManyStreams = (max: number) =>
  new AppError(
    'STREAM_TOO_MANY',
    429,
    `At most ${max} live streams per user at once: close another console tab and retry`,
  );
