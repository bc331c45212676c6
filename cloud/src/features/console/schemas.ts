/** The HTML shell: the same document at every console path (the browser-side router picks the page). */
export const htmlResponse = {
  content: { 'text/html': { schema: { type: 'string' } } },
} as const;

/** A built file: JavaScript, CSS, a source map (or an image the build adds). */
export const assetResponse = {
  content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
} as const;

export const assetParams = {
  type: 'object',
  required: ['file'],
  additionalProperties: false,
  properties: { file: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** `event: ready | fleet | agent | command` frames and heartbeat comments (cloud/README.md, Web console). */
export const liveStreamResponse = {
  content: { 'text/event-stream': { schema: { type: 'string' } } },
} as const;
