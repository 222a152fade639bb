/**
 * oauthkit on plain node:http: the shared demo app served through serve.ts, with oauthkit/node
 * answering the OAuth endpoints (token, revocation, introspection, metadata) straight from the
 * node request — no Web Request/Response — and hashing with node:crypto. Everything else (sign-in,
 * consent, MCP, registration) goes through the app's Web handler.
 * `PORT=3000 node --import tsx examples/node-http/server.ts`
 */
import { createMemoryStorage } from "oauthkit";
import { createNodeHandler, nodeHashToken } from "oauthkit/node";
import { createApp } from "../mcp-server/app.js";
import { serve } from "./serve.js";

const { origin } = await serve(
  (origin) => {
    const app = createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" }, hash: nodeHashToken });
    return { fetch: app.handle, node: createNodeHandler(app.oauth, { origin }) };
  },
  { port: Number(process.env.PORT ?? 3000), hostname: "localhost" },
);
console.log(`node:http example ready on ${origin}`);
