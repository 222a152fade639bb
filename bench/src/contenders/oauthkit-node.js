/**
 * oauthkit/node: the same build's Node entry (`dist/node.js`) — the endpoints served from node:http
 * `IncomingMessage`/`ServerResponse` by `createNodeHandler`, hashing with `node:crypto`, bearer
 * validation from the header value. See `createContender({ node: true })` in oauthkit.js.
 */
import { createContender as createOauthkit } from "./oauthkit.js";

export function createContender() {
  return createOauthkit({ node: true });
}
