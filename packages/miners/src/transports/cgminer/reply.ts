import { MinerError } from '../../errors.js';
import { isRecord } from '../../json.js';
import { repairJson } from './repair.js';

export type CgminerStatusLetter = 'S' | 'I' | 'W' | 'E' | 'F';

export interface CgminerStatus {
  letter: CgminerStatusLetter;
  code: number;
  msg: string;
  description: string;
  when: number;
}

/** A decoded cgminer API reply: the STATUS envelope, and every other section (SUMMARY, VERSION, ...) in `body`. */
export interface CgminerReply {
  status: CgminerStatus;
  body: Record<string, unknown>;
}

const LETTERS: ReadonlySet<unknown> = new Set<CgminerStatusLetter>(['S', 'I', 'W', 'E', 'F']);

/**
 * Turns the raw bytes of one reply into a CgminerReply: strips the NUL terminator, repairs known JSON breakage,
 * parses and checks the envelope. A STATUS of E or F throws MINER_COMMAND_FAILED with the miner's Code and Msg.
 */
export function decodeReply(raw: Buffer): CgminerReply {
  return envelope(parseReplyJson(raw));
}

/** Quoted "nan"/"inf" are valid JSON that repair still rewrites, so they must take the repair path. */
const QUOTED_NON_NUMBER = /"-?(?:nan|inf(?:inity)?)"/i;

/**
 * The JSON value in a reply's raw bytes, after the NUL is stripped and known breakage repaired. Most replies are
 * valid JSON, and on valid JSON without quoted nan/inf the repair changes nothing, so those skip it (it costs
 * several times JSON.parse); only a reply that fails to parse, or holds such a value, is repaired.
 */
export function parseReplyJson(raw: Buffer): unknown {
  const text = raw.toString('utf8').replaceAll('\0', '').trim();
  if (!QUOTED_NON_NUMBER.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // broken JSON: repaired below
    }
  }
  try {
    return JSON.parse(repairJson(text));
  } catch (cause) {
    throw new MinerError('MINER_BAD_REPLY', `reply is not JSON: ${JSON.stringify(text.slice(0, 80))}`, {
      cause,
    });
  }
}

/**
 * Checks the envelope every reply form shares (JSON, text, one member of a multi-command reply): a valid STATUS,
 * with E or F thrown as MINER_COMMAND_FAILED. Everything beside STATUS and `id` is the body.
 */
export function envelope(json: unknown): CgminerReply {
  if (!isRecord(json)) throw new MinerError('MINER_BAD_REPLY', 'reply is not a JSON object');
  const { STATUS, id: _id, ...body } = json;
  const status = readStatus(STATUS, json);
  if (status.letter === 'E' || status.letter === 'F') {
    throw new MinerError(
      'MINER_COMMAND_FAILED',
      `STATUS ${status.letter} Code ${status.code}: ${status.msg}`,
    );
  }
  return { status, body };
}

function readStatus(value: unknown, reply: Record<string, unknown>): CgminerStatus {
  if (typeof value === 'string') {
    // `quit`/`restart` answer a plain "BYE"/"RESTART"; btminer's get_* put a bare letter beside When/Code/Msg.
    return isLetter(value) ? statusOf(value, reply, '') : statusOf('S', reply, value);
  }
  const first: unknown = Array.isArray(value) ? value[0] : undefined;
  if (isRecord(first) && isLetter(first.STATUS)) return statusOf(first.STATUS, first, '');
  throw new MinerError('MINER_BAD_REPLY', 'reply has no valid STATUS');
}

function statusOf(letter: CgminerStatusLetter, fields: Record<string, unknown>, msg: string): CgminerStatus {
  return {
    letter,
    code: typeof fields.Code === 'number' ? fields.Code : 0,
    msg: typeof fields.Msg === 'string' ? fields.Msg : msg,
    description: typeof fields.Description === 'string' ? fields.Description : '',
    when: typeof fields.When === 'number' ? fields.When : 0,
  };
}

function isLetter(value: unknown): value is CgminerStatusLetter {
  return LETTERS.has(value);
}
