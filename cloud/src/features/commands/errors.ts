import { AppError } from '../../http/errors.js';

/** The same answer for a missing command and another tenant's command. */
export const commandNotFound = () => new AppError('COMMANDS_NOT_FOUND', 404, 'Command not found');
/** A target outside the caller's tenant answers exactly like a missing one, and fails the whole request. */
export const targetNotFound = () =>
  new AppError('COMMANDS_TARGET_NOT_FOUND', 404, 'One or more targets were not found');
export const targetsEmpty = () => new AppError('COMMANDS_TARGETS_EMPTY', 400, 'The targets match no miner');
export const targetsTooMany = (max: number) =>
  new AppError('COMMANDS_TARGETS_TOO_MANY', 400, `A command may name at most ${max} miners`);
export const targetDuplicate = () =>
  new AppError('COMMANDS_TARGET_DUPLICATE', 400, 'A miner is named more than once');
export const targetAmbiguous = (minerId: string) =>
  new AppError(
    'COMMANDS_TARGET_AMBIGUOUS',
    400,
    `Miner id ${minerId} exists under several agents: name it as { agentId, minerId } in targets.miners`,
  );
export const targetsInvalid = () =>
  new AppError(
    'COMMANDS_TARGETS_INVALID',
    400,
    'targets must name exactly one of minerIds, miners, siteId or filter',
  );
export const paramsInvalid = (message: string) => new AppError('COMMANDS_PARAMS_INVALID', 400, message);
export const capabilityMissing = (capability: string, count: number, example: string) =>
  new AppError(
    'COMMANDS_CAPABILITY_MISSING',
    422,
    `${count} target(s) cannot ${capability} (their driver does not support it or has not reported), e.g. ${example}`,
  );
export const scheduleInvalid = (message: string) => new AppError('COMMANDS_SCHEDULE_INVALID', 400, message);
export const idempotencyKeyMissing = () =>
  new AppError(
    'COMMANDS_IDEMPOTENCY_KEY_REQUIRED',
    400,
    'The Idempotency-Key header is required (1-255 visible ASCII characters)',
  );
export const idempotencyMismatch = () =>
  new AppError(
    'COMMANDS_IDEMPOTENCY_MISMATCH',
    422,
    'This Idempotency-Key was used with a different request body',
  );
export const approvalNotNeeded = () =>
  new AppError('COMMANDS_APPROVAL_NOT_PENDING', 409, 'The command is not awaiting approval');
export const selfApproval = () =>
  new AppError('COMMANDS_SELF_APPROVAL', 403, 'A second operator must approve this command');
export const approvalStale = () =>
  new AppError(
    'COMMANDS_APPROVAL_STALE',
    409,
    'The command differs from what was approved: read it again and approve what it is now',
  );
export const approvalExpired = () =>
  new AppError('COMMANDS_APPROVAL_EXPIRED', 409, 'The approval window has passed; create the command again');
export const notCancellable = () =>
  new AppError('COMMANDS_NOT_CANCELLABLE', 409, 'The command has already finished');
export const vaultUnavailable = () =>
  new AppError('COMMANDS_VAULT_UNAVAILABLE', 503, 'The credential vault is not available');
export const rateLimited = (scope: 'operator' | 'tenant', after: string) =>
  new AppError('COMMANDS_RATE_LIMITED', 429, `Too many commands for this ${scope}: retry in ${after}`);
export const cursorInvalid = () =>
  new AppError('COMMANDS_CURSOR_INVALID', 400, 'cursor is not one this list handed out for these filters');
