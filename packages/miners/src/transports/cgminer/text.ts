import { MinerError } from '../../errors.js';
import { type CgminerReply, envelope } from './reply.js';

/** A `name=value` field of a text reply; a bare name (the `SUMMARY` that opens a section) has no value. */
interface Field {
  name: string;
  value?: string;
}

/** The characters cgminer escapes with a backslash in text replies (`api.c` `escape_string`). */
const ESCAPED = new Set(['|', ',', '=', '\\']);

/** Text replies name a record by its first field; the JSON form groups these records under a plural section. */
const SECTION_OF_ITEM: Readonly<Record<string, string>> = {
  POOL: 'POOLS',
  ASC: 'DEVS',
  PGA: 'DEVS',
  GPU: 'DEVS',
  CPU: 'DEVS',
};

/** Commands that report one device: their JSON section is named after the device kind, not DEVS. */
const SINGLE_DEVICE = new Set(['asc', 'pga', 'gpu', 'cpu']);

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Decodes a reply to a text-form request (`summary`, `ascset|0,led,1-1`):
 * `STATUS=S,When=..,Code=..,Msg=..,Description=..|SECTION,k=v,..|POOL=0,k=v,..|` into the CgminerReply the JSON
 * form gives: records grouped by section (`SUMMARY`, `POOLS`, `STATS`, ...), numeric and boolean values typed.
 * `command` names the section of single-device commands (`asc|0` answers `ASC=0,..`, which JSON files under ASC).
 *
 * Text loses types, so a string that looks like a number becomes one; integers beyond 2^53 stay strings rather
 * than lose digits (and so do exponents past the double range). Msg and Description stay strings. Only the first
 * `=` of a field splits it: stats values like `USB tmo=1 50=2/3` keep theirs. A joined text reply (`CMD=`
 * records) is not supported.
 */
export function decodeTextReply(raw: Buffer, command = ''): CgminerReply {
  const records = splitRecords(raw.toString('utf8').replaceAll('\0', '').trim());
  const [status, ...rest] = records;
  if (status?.[0]?.name !== 'STATUS' || status[0].value === undefined) {
    throw new MinerError('MINER_BAD_REPLY', 'text reply does not start with STATUS=');
  }
  const statusRecord = Object.fromEntries(
    status.map(({ name, value = '' }) => [
      name,
      name === 'Msg' || name === 'Description' ? value : typed(value),
    ]),
  );
  const sections = new Map<string, Record<string, unknown>[]>();
  for (const record of rest) {
    const [first, ...others] = record as [Field, ...Field[]];
    const section = first.value === undefined ? first.name : sectionOf(first.name, command);
    if (section === 'STATUS') throw new MinerError('MINER_BAD_REPLY', 'text reply has a second STATUS');
    const fields = first.value === undefined ? others : record;
    const item = Object.fromEntries(fields.map(({ name, value = '' }) => [name, typed(value)]));
    const items = sections.get(section);
    if (items) items.push(item);
    else sections.set(section, [item]);
  }
  return envelope(Object.fromEntries([['STATUS', [statusRecord]], ...sections]));
}

/** Splits on unescaped `|` (records), `,` (fields) and the first unescaped `=` of a field; one pass. */
function splitRecords(text: string): Field[][] {
  const records: Field[][] = [];
  let fields: Field[] = [];
  let name: string | undefined;
  let buffer = '';
  const endField = () => {
    if (name !== undefined) fields.push({ name, value: buffer });
    else if (buffer !== '') fields.push({ name: buffer });
    name = undefined;
    buffer = '';
  };
  const endRecord = () => {
    endField();
    if (fields.length > 0) records.push(fields);
    fields = [];
  };
  for (let at = 0; at < text.length; at++) {
    const char = text.charAt(at);
    const next = text.charAt(at + 1);
    if (char === '\\' && ESCAPED.has(next)) {
      buffer += next;
      at++;
    } else if (char === '=' && name === undefined) {
      name = buffer;
      buffer = '';
    } else if (char === ',') endField();
    else if (char === '|') endRecord();
    else buffer += char;
  }
  endRecord();
  return records;
}

function sectionOf(item: string, command: string): string {
  const name = command.trim().toLowerCase();
  if (SINGLE_DEVICE.has(name) && SECTION_OF_ITEM[item] === 'DEVS') return name.toUpperCase();
  return SECTION_OF_ITEM[item] ?? item;
}

function typed(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (!JSON_NUMBER.test(value)) return value;
  const number = Number(value);
  const exact = /[.eE]/.test(value) ? Number.isFinite(number) : Number.isSafeInteger(number);
  return exact ? number : value;
}
