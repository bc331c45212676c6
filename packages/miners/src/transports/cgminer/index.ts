export { type CgminerCommandOptions, type CgminerOptions, cgminerCommand, cgminerMulti } from './client.js';
export { splitMultiReply } from './multi.js';
export type { CgminerReply, CgminerStatus, CgminerStatusLetter } from './reply.js';
export { decodeTextReply } from './text.js';
