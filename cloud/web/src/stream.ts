import { accessToken } from './api';
import { createEventParser, type ServerEvent } from './sse';

/**
 * Follows a server-sent event stream of the cloud with the session's bearer token (EventSource cannot send one),
 * reconnecting with backoff until `signal` aborts. `onOpen` runs at every (re)connect: reload what may have
 * changed while disconnected there.
 */
export async function followStream(
  path: string,
  handlers: { onEvent: (event: ServerEvent) => void; onOpen?: () => void },
  signal: AbortSignal,
): Promise<void> {
  let delayMs = 1000;
  while (!signal.aborted) {
    try {
      const token = await accessToken();
      const response = await fetch(path, {
        headers: {
          accept: 'text/event-stream',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        signal,
      });
      if (response.ok && response.body !== null) {
        delayMs = 1000;
        handlers.onOpen?.();
        const parse = createEventParser(handlers.onEvent);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      }
    } catch {
      // A dropped connection or an abort: the loop decides whether to come back.
    }
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 30_000);
  }
}
