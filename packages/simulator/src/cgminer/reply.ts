/** A reply as the firmware would serialize it: STATUS, its sections and `id`, in that order. */
export type Reply = Record<string, unknown>;

export type StatusLetter = 'S' | 'I' | 'W' | 'E' | 'F';

/** What every cgminer-API STATUS says. `description` is the firmware's (`cgminer 4.11.1`, `btminer`, ...). */
export interface Status {
  when: number;
  code: number;
  msg: string;
  description: string;
  letter?: StatusLetter;
}

/** cgminer's envelope: `{"STATUS":[{..}], <sections>, "id":1}`. */
export function envelope(status: Status, sections: Reply = {}): Reply {
  return {
    STATUS: [
      {
        STATUS: status.letter ?? 'S',
        When: status.when,
        Code: status.code,
        Msg: status.msg,
        Description: status.description,
      },
    ],
    ...sections,
    id: 1,
  };
}

/** A refusal: STATUS E with the firmware's code and message. */
export function refusal(when: number, code: number, msg: string, description: string): Reply {
  return envelope({ when, code, msg, description, letter: 'E' });
}

/**
 * The reply to a joined request (`summary+pools`, API >= 3.1): each member's whole reply in a one-element array
 * under its command, then `"id":1` (cgminer's `head_join`, as the Avalon corpus sample shows).
 */
export function joined(members: Array<[string, Reply]>): Reply {
  return { ...Object.fromEntries(members.map(([command, reply]) => [command, [reply]])), id: 1 };
}

/** The bytes on the wire: the reply in the form of the request, then cgminer's NUL terminator. */
export function encodeReply(reply: Reply, form: 'json' | 'text'): Buffer {
  return Buffer.from(`${form === 'text' ? toText(reply) : JSON.stringify(reply)}\0`);
}

/**
 * Items whose record opens with `<item>=<n>` in the text form; other sections open with their bare name
 * (`SUMMARY,Elapsed=..`, `VERSION,CGMiner=..`).
 */
const ITEM_OF_SECTION: Readonly<Record<string, string>> = {
  POOLS: 'POOL',
  DEVS: 'ASC',
  STATS: 'STATS',
  DEVDETAILS: 'DEVDETAILS',
};

/**
 * cgminer's text form: `STATUS=S,When=..,Code=..,Msg=..,Description=..|` then one `|`-ended record per item,
 * with `|`, `,`, `=` and `\` escaped by a backslash (`api.c` `escape_string`). Values that are lists or objects
 * (LuxOS, BOSminer extensions) have no text form in cgminer; they go as their JSON.
 */
export function toText(reply: Reply): string {
  const records: string[] = [];
  for (const [section, value] of Object.entries(reply)) {
    if (section === 'id' || !Array.isArray(value)) continue;
    for (const record of value) {
      if (typeof record !== 'object' || record === null) continue;
      const fields = Object.entries(record as Record<string, unknown>);
      const item = ITEM_OF_SECTION[section];
      const opener =
        section === 'STATUS' ? 'STATUS' : item !== undefined && item in record ? item : undefined;
      // The item field opens its record (`POOL=0,URL=..`); a section without one opens with its bare name.
      const ordered = [
        ...fields.filter(([key]) => key === opener),
        ...fields.filter(([key]) => key !== opener),
      ].map(([key, inner]) => `${escapeText(key)}=${escapeText(textOf(inner))}`);
      const body = opener === undefined ? [escapeText(section), ...ordered] : ordered;
      records.push(`${body.join(',')}|`);
    }
  }
  return records.join('');
}

function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

function escapeText(text: string): string {
  return text.replace(/[|,=\\]/g, (char) => `\\${char}`);
}
