import { AppError } from '../../http/errors.js';

export const agentNotFound = () => new AppError('AGENT_NOT_FOUND', 404, 'No such agent');
export const siteNotFound = () => new AppError('SITE_NOT_FOUND', 404, 'No such site');
// An unknown token, a used one and an expired one are told apart: whoever holds a token learns nothing new,
// and the operator learns which of the three to fix.
export const tokenInvalid = () =>
  new AppError('ENROLLMENT_TOKEN_INVALID', 401, 'The enrollment token is not valid');
export const tokenUsed = () =>
  new AppError('ENROLLMENT_TOKEN_USED', 409, 'The enrollment token was already used; create a new one');
export const tokenExpired = () =>
  new AppError('ENROLLMENT_TOKEN_EXPIRED', 410, 'The enrollment token has expired; create a new one');
export const badPublicKey = (which: string, problem: string) =>
  new AppError('ENROLLMENT_BAD_KEY', 400, `publicKeys.${which} ${problem}`);
export const brokerUnavailable = (cause: unknown) =>
  new AppError('AGENT_BROKER_UNAVAILABLE', 503, 'The MQTT broker did not take the change; try again', {
    cause,
  });
export const noCommandKey = () =>
  new AppError('AGENT_NO_COMMAND_KEY', 500, 'The cloud has no command-signing key; run the migrations');
