/** One server-sent event: its name (`message` when the server gave none) and its data lines joined. */
export interface ServerEvent {
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream into events, chunk by chunk (a chunk may end mid-line). Comments (heartbeats) and
 * fields other than `event` and `data` are skipped; an event is emitted at its blank line.
 */
export function createEventParser(onEvent: (event: ServerEvent) => void): (chunk: string) => void {
  let buffer = '';
  let name = '';
  let data: string[] = [];
  return (chunk) => {
    buffer += chunk;
    let newline = buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      const width = buffer.startsWith('\r\n', newline) ? 2 : 1;
      buffer = buffer.slice(newline + width);
      if (line === '') {
        if (data.length > 0) onEvent({ event: name || 'message', data: data.join('\n') });
        name = '';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = value;
        else if (field === 'data') data.push(value);
      }
      newline = buffer.search(/\r\n|\r|\n/);
    }
  };
}
