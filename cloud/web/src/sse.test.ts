import t from 'tap';
import { createEventParser, type ServerEvent } from './sse';

function parseAll(chunks: string[]): ServerEvent[] {
  const events: ServerEvent[] = [];
  const parse = createEventParser((event) => events.push(event));
  for (const chunk of chunks) parse(chunk);
  return events;
}

t.test('events split across chunks, with comments and CRLF', async (t) => {
  const stream =
    ': heartbeat\n\nevent: target\ndata: {"a":1}\n\r\ndata: plain\r\n\r\nevent: end\ndata: {}\n\n';
  const whole = parseAll([stream]);
  t.same(whole, [
    { event: 'target', data: '{"a":1}' },
    { event: 'message', data: 'plain' },
    { event: 'end', data: '{}' },
  ]);
  // Byte by byte gives the same events: a chunk may end anywhere.
  t.same(parseAll([...stream]), whole);
});

t.test('multi-line data, fields without a value, an unfinished event', async (t) => {
  t.same(parseAll(['data: one\ndata: two\nid: 7\nretry\n\n', 'event: x\ndata: never ended']), [
    { event: 'message', data: 'one\ntwo' },
  ]);
  t.same(parseAll(['event: nodata\n\n']), [], 'an event without data is not emitted');
});
