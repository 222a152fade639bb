/**
 * The reference MCP server: `npm run example` starts it on PORT (default 3000).
 *
 * Environment: PORT, ISSUER (default http://localhost:PORT), DEMO_USER / DEMO_PASSWORD (default
 * demo / demo), REDIS_URL or DATABASE_URL (default: in-memory storage).
 */
import { serve } from "../node-http/serve.js";
import { createApp } from "./app.js";
import { allowPublicHostsOnly } from "./ssrf.js";
import { storageFromEnvironment } from "./storage.js";

const port = Number(process.env.PORT ?? 3000);
const { storage, kind } = await storageFromEnvironment(process.env);
const demo = { username: process.env.DEMO_USER ?? "demo", password: process.env.DEMO_PASSWORD ?? "demo" };

const { origin } = await serve(
  (origin) =>
    createApp({ issuer: process.env.ISSUER ?? origin, storage, demo, clientIdMetadataDocuments: { allowFetch: allowPublicHostsOnly } }).handle,
  { port, hostname: "localhost" },
);
const issuer = process.env.ISSUER ?? origin;
console.log(`oauthkit reference MCP server ready on ${origin} (issuer ${issuer}, ${kind} storage)`);
console.log(`MCP endpoint: ${issuer}/mcp — sign in as ${demo.username} / ${"*".repeat(demo.password.length)}`);
