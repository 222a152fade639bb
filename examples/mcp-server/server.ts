/**
 * The reference MCP server: `npm run example` starts it on PORT (default 3000).
 *
 * Environment: PORT, ISSUER (default http://localhost:PORT), DEMO_USER / DEMO_PASSWORD (default
 * demo / demo), TRUST_PROXY (proxies whose X-Forwarded-For is trusted, default none), REDIS_URL,
 * REDIS_CLUSTER_URLS (comma-separated node URLs of a Redis Cluster) or DATABASE_URL, else STORAGE=memory, else (the default) a SQLite file at SQLITE_PATH (default
 * .data/oauthkit.sqlite in the repository root). Federated mode (sign-in at another provider):
 * UPSTREAM_ISSUER or UPSTREAM_AUTHORIZATION_ENDPOINT + UPSTREAM_TOKEN_ENDPOINT [+ UPSTREAM_USERINFO_ENDPOINT],
 * UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, UPSTREAM_TOKEN_AUTH_METHOD, UPSTREAM_SCOPE, PROPS_KEYS.
 */
import type { AddressInfo } from "node:net";
import { serve } from "../node-http/serve.js";
import { createApp } from "./app.js";
import { demoUserFromEnvironment, trustProxyFromEnvironment, upstreamFromEnvironment } from "./settings.js";
import { allowPublicHostsOnly } from "./ssrf.js";
import { storageFromEnvironment } from "./storage.js";

const port = Number(process.env.PORT ?? 3000);
const { storage, kind, detail } = await storageFromEnvironment(process.env);
const { demo, signInHint } = demoUserFromEnvironment(process.env);
const trustProxy = trustProxyFromEnvironment(process.env);
const federated = upstreamFromEnvironment(process.env);

// Behind a proxy or tunnel (ISSUER set), requests are addressed to the public origin, so that
// oauthkit's routes (keyed by absolute URL) and the issuer agree.
const publicOrigin = process.env.ISSUER === undefined ? undefined : new URL(process.env.ISSUER).origin;
const { origin, server } = await serve(
  (origin) =>
    createApp({
      issuer: process.env.ISSUER ?? origin,
      storage,
      demo,
      trustProxy,
      clientIdMetadataDocuments: { allowFetch: allowPublicHostsOnly },
      ...(federated === undefined ? {} : federated),
    }).handle,
  { port, hostname: "localhost", ...(publicOrigin === undefined ? {} : { origin: publicOrigin }) },
);
const issuer = process.env.ISSUER ?? origin;
const local = `http://localhost:${(server.address() as AddressInfo).port}`;
console.log(`oauthkit reference MCP server ready on ${local} (issuer ${issuer}, ${kind} storage${detail === undefined ? "" : ` at ${detail}`})`);
console.log(`MCP endpoint: ${issuer}/mcp — ${federated === undefined ? signInHint : `sign-in upstream; register ${issuer}/upstream/callback there`}`);
if (publicOrigin !== undefined && trustProxy === 0) {
  // Every request then comes from the proxy's address: one client's failed sign-ins would lock out all.
  console.log("Behind a proxy or tunnel: set TRUST_PROXY=1 (the number of proxies) so sign-in throttling counts per client address.");
}
