// The cgminer API's wire form, shared by every personality: reading requests, writing replies.

export {
  encodeReply,
  envelope,
  joined,
  type Reply,
  refusal,
  type Status,
  type StatusLetter,
  toText,
} from './reply.js';
export { type CgminerRequest, parseRequest, type RequestError, type RequestForms } from './request.js';
