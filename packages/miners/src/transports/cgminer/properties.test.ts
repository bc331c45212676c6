// Property tests of the cgminer reply path: repairJson keeps good JSON and undoes the breakage firmware sends;
// the decoders turn any input into a well-formed reply or a MinerError, nothing else. Inputs are capped at
// 64 KiB so a quadratic path would show up as a slow suite (no timing assertions: CI boxes vary).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import t from 'tap';
import { MinerError } from '../../errors.js';
import { isRecord } from '../../json.js';
import { repairJson } from './repair.js';
import { type CgminerReply, decodeReply } from './reply.js';
import { decodeTextReply } from './text.js';

const MAX = 64 * 1024;
const JSON_ANY = fc.jsonValue({ stringUnit: 'binary', maxDepth: 6 });
/** Quoted strings repairJson turns into 0 on purpose (Avalon's "nan"/"inf" values). */
const NON_NUMBER_TEXT = /^-?(?:nan|inf(?:inity)?)$/i;
const BARE_NON_NUMBERS = ['nan', '-nan', 'NaN', 'inf', '-inf', 'Infinity', '"nan"', '"inf"', '"-NaN"'];

function hasNonNumberText(value: unknown): boolean {
  if (typeof value === 'string') return NON_NUMBER_TEXT.test(value);
  if (Array.isArray(value)) return value.some(hasNonNumberText);
  return isRecord(value) && Object.values(value).some(hasNonNumberText);
}

/** Runs a decoder: a result must pass `check`, a MinerError is fine, anything else fails the property. */
function typedOnly<T>(decode: () => T, check: (result: T) => boolean): boolean {
  let result: T;
  try {
    result = decode();
  } catch (error) {
    if (error instanceof MinerError) return true;
    throw error;
  }
  return check(result);
}

function wellFormed(reply: CgminerReply): boolean {
  const { status, body } = reply;
  return (
    ['S', 'I', 'W'].includes(status.letter) &&
    Number.isFinite(status.code) &&
    Number.isFinite(status.when) &&
    typeof status.msg === 'string' &&
    typeof status.description === 'string' &&
    isRecord(body) &&
    !('STATUS' in body)
  );
}

/**
 * Serializes `value` as JSON with the breakage real firmware sends, each spot chosen by `flip`: no comma between
 * adjacent objects in an array (`}{`), a trailing comma before `]`/`}`, a number written as nan/inf (bare or
 * quoted). Returns the wire text and what repairJson must make of it (the broken numbers become 0).
 */
function corrupt(
  value: unknown,
  flip: () => boolean,
  nonNumber: () => string,
): { wire: string; expected: unknown } {
  if (Array.isArray(value)) {
    const parts = value.map((item) => corrupt(item, flip, nonNumber));
    let wire = '';
    parts.forEach((part, index) => {
      const glued = index > 0 && isRecord(value[index - 1]) && isRecord(value[index]) && flip();
      wire += (index > 0 && !glued ? ',' : '') + part.wire;
    });
    const trailing = parts.length > 0 && flip() ? ',' : '';
    return { wire: `[${wire}${trailing}]`, expected: parts.map((part) => part.expected) };
  }
  if (isRecord(value)) {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, corrupt(item, flip, nonNumber)] as const,
    );
    const wire = entries.map(([key, part]) => `${JSON.stringify(key)}:${part.wire}`).join(',');
    const trailing = entries.length > 0 && flip() ? ',' : '';
    return {
      wire: `{${wire}${trailing}}`,
      expected: Object.fromEntries(entries.map(([key, part]) => [key, part.expected])),
    };
  }
  if (typeof value === 'number' && flip()) return { wire: nonNumber(), expected: 0 };
  const wire = JSON.stringify(value);
  return { wire, expected: JSON.parse(wire) }; // as JSON reads it: -0 comes back as 0
}

t.test('repairJson leaves valid JSON meaning the same, whatever its layout', async (t) => {
  fc.assert(
    fc.property(JSON_ANY, fc.constantFrom(0, 1, 2, '\t'), (value, indent) => {
      fc.pre(!hasNonNumberText(value));
      const text = JSON.stringify(value, null, indent);
      return isDeepStrictEqual(JSON.parse(repairJson(text)), JSON.parse(text));
    }),
    { numRuns: 1000 },
  );
  t.pass('held');
});

t.test('repairJson undoes }{, trailing commas and nan/inf wherever they are injected', async (t) => {
  // Arrays of objects (bmminer `stats`) are rare in arbitrary JSON, and they are where `}{` happens.
  const objects = fc.array(fc.dictionary(fc.string({ unit: 'binary' }), JSON_ANY, { maxKeys: 4 }), {
    minLength: 2,
    maxLength: 5,
  });
  fc.assert(
    fc.property(
      fc.oneof(JSON_ANY, objects),
      fc.infiniteStream(fc.boolean()),
      fc.infiniteStream(fc.constantFrom(...BARE_NON_NUMBERS)),
      (value, flips, nonNumbers) => {
        fc.pre(!hasNonNumberText(value));
        const { wire, expected } = corrupt(
          value,
          () => flips.next().value,
          () => nonNumbers.next().value,
        );
        return isDeepStrictEqual(JSON.parse(repairJson(wire)), expected);
      },
    ),
    { numRuns: 1000 },
  );
  t.pass('held');
});

t.test('repairJson never throws and keeps every string literal intact', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: MAX }), (text) => {
      const repaired = repairJson(text);
      return typeof repaired === 'string';
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' })), (strings) => {
      fc.pre(!hasNonNumberText(strings));
      const text = JSON.stringify(strings);
      return repairJson(text) === text;
    }),
    { numRuns: 1000 },
  );
  t.pass('held');
});

/** Bytes that look like cgminer replies more often than uniform noise does. */
const REPLY_ALPHABET = fc.constantFrom(
  ...'{}[],:"\\ \n\0-.e0159'.split(''),
  'STATUS',
  '"STATUS"',
  '"S"',
  '"E"',
  'When',
  'Code',
  'Msg',
  'nan',
  'inf',
  'SUMMARY',
  'id',
  '|',
  '=',
);

t.test('decodeReply: any bytes give a well-formed reply or a MinerError', async (t) => {
  const inputs = fc.oneof(
    fc.uint8Array({ maxLength: MAX }).map((bytes) => Buffer.from(bytes)),
    fc.string({ unit: REPLY_ALPHABET, maxLength: 4096 }).map((text) => Buffer.from(text)),
    fc
      .record({ STATUS: fc.oneof(JSON_ANY, fc.constant([{ STATUS: 'S', Code: 11 }])), SUMMARY: JSON_ANY })
      .map((reply) => Buffer.from(JSON.stringify(reply))),
  );
  fc.assert(
    fc.property(inputs, (raw) => typedOnly(() => decodeReply(raw), wellFormed)),
    { numRuns: 1000 },
  );
  t.pass('held');
});

t.test('decodeTextReply: any text gives a well-formed reply or a MinerError', async (t) => {
  const inputs = fc.oneof(
    fc.uint8Array({ maxLength: MAX }).map((bytes) => Buffer.from(bytes)),
    fc.string({ unit: REPLY_ALPHABET, maxLength: 4096 }).map((text) => Buffer.from(text)),
    fc
      .string({ unit: REPLY_ALPHABET, maxLength: 4096 })
      .map((text) => Buffer.from(`STATUS=S,When=1,Code=11,Msg=m,${text}`)),
  );
  fc.assert(
    fc.property(inputs, fc.constantFrom('', 'summary', 'asc', 'pools'), (raw, command) =>
      typedOnly(() => decodeTextReply(raw, command), wellFormed),
    ),
    { numRuns: 1000 },
  );
  t.pass('held');
});

t.test('decodeTextReply: escaped names and values come back exactly', async (t) => {
  const escaped = (text: string) => text.replaceAll(/[\\|,=]/g, (char) => `\\${char}`);
  // Values start with a letter so they stay strings (digits and true/false are typed on purpose).
  const text = fc.string({ unit: fc.constantFrom(...'ab=|,\\ \n:'.split('')), maxLength: 20 });
  const name = text.filter((name) => name.trim() !== '' && !['id', 'STATUS'].includes(name));
  const record = fc.dictionary(
    name,
    text.map((value) => `v${value}`),
    { minKeys: 1, maxKeys: 6, noNullPrototype: true },
  );
  const sections = fc.dictionary(name, fc.array(record, { minLength: 1, maxLength: 3 }), {
    maxKeys: 4,
    noNullPrototype: true,
  });
  fc.assert(
    fc.property(sections, (expected) => {
      const wire = Object.entries(expected)
        .flatMap(([section, records]) =>
          records.map(
            (fields) =>
              `${escaped(section)},${Object.entries(fields)
                .map(([key, value]) => `${escaped(key)}=${escaped(value)}`)
                .join(',')}|`,
          ),
        )
        .join('');
      const reply = decodeTextReply(Buffer.from(`STATUS=S,When=1,Code=11,Msg=m,Description=d|${wire}`));
      return isDeepStrictEqual(reply.body, expected);
    }),
    { numRuns: 500 },
  );
  t.pass('held');
});
