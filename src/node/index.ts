/**
 * `oauthkit/node`: the authorization server's endpoints on node:http (and Express, Fastify, which
 * hand over node:http's request and response) without Web `Request`/`Response` objects, bearer
 * validation of protected node routes, and `node:crypto`'s SHA-256 for hashing.
 *
 * @module
 */
export { createNodeHandler } from "./handler.js";
export type { NodeHandlerOptions, NodeRequestHandler } from "./handler.js";
export { nodeHashToken } from "./hash.js";
export { readNodeBody } from "./body.js";
export { authenticateNodeRequest } from "./bearer.js";
export { toWebRequest, writeWebResponse } from "./web.js";
