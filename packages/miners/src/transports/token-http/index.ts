export {
  type TokenCall,
  TokenHttpClient,
  type TokenHttpOptions,
  type TokenLogin,
  type TokenReply,
} from './client.js';
