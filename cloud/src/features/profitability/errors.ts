import { ProfitError } from '@hashinsight/profitability';
import { AppError } from '../../http/errors.js';

export const machineRequired = () =>
  new AppError('CALC_MACHINE_REQUIRED', 400, 'give miner_model, or hashrate_th and power_w');
export const machineAmbiguous = () =>
  new AppError('CALC_MACHINE_AMBIGUOUS', 400, 'give miner_model or hashrate_th/power_w, not both');
export const modelUnknown = () =>
  new AppError('CALC_MODEL_UNKNOWN', 400, 'miner_model is not in the catalog (GET /api/catalog/models)');
export const subsidyAmbiguous = () =>
  new AppError('CALC_SUBSIDY_AMBIGUOUS', 400, 'give block_height or block_subsidy, not both');
export const rangeInvalid = () => new AppError('CALC_RANGE_INVALID', 400, 'from must be before to');

/** The maths package's refusal (it names the field) as a 400; anything else passes through. */
export function asInputError(error: unknown): unknown {
  if (error instanceof ProfitError)
    return new AppError('CALC_INPUT_INVALID', 400, error.message, { cause: error });
  return error;
}
