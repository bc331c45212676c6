export {
  type CgminerCommandOptions,
  type CgminerOptions,
  cgminerCommand,
  cgminerMulti,
  exchange as cgminerExchange,
} from './client.js';
export { splitMultiReply } from './multi.js';
export { type CgminerReply, type CgminerStatus, type CgminerStatusLetter, parseReplyJson } from './reply.js';
export { decodeTextReply } from './text.js';
