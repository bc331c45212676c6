export { type CgminerOptions, cgminerCommand } from './client.js';
export type { CgminerReply, CgminerStatus, CgminerStatusLetter } from './reply.js';
