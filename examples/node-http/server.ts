/**
 * oauthkit on plain node:http: the shared demo app served through the bridge in serve.ts.
 * `PORT=3000 node --import tsx examples/node-http/server.ts`
 */
import { createMemoryStorage } from "oauthkit";
import { createApp } from "../mcp-server/app.js";
import { serve } from "./serve.js";

const { origin } = await serve(
  (origin) => createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" } }).handle,
  { port: Number(process.env.PORT ?? 3000), hostname: "localhost" },
);
console.log(`node:http example ready on ${origin}`);
