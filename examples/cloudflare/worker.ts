/**
 * The reference MCP server (examples/mcp-server) as a Cloudflare Worker, its records in D1.
 * `npm run example:workers` runs it locally on workerd (examples/cloudflare/dev.mjs).
 *
 * Bindings (wrangler.toml): DB (D1), and the variables ISSUER (the public origin; default: the
 * request's origin), DEMO_USER / DEMO_PASSWORD (a secret; default demo / demo).
 */
import { OAuthError, errorResponse } from "oauthkit";
import { type D1DatabaseLike, createSqliteStorage, d1Driver, migrate } from "oauthkit/sqlite";
import { createApp } from "../mcp-server/app.js";
import { demoUserFromEnvironment } from "../mcp-server/settings.js";

/** The Worker's bindings. */
export interface Env {
  DB: D1DatabaseLike;
  ISSUER?: string;
  DEMO_USER?: string;
  DEMO_PASSWORD?: string;
}

type App = ReturnType<typeof createApp>;

// One app per isolate (and per origin when ISSUER is unset), built on the first request: a Worker
// sees its bindings only then. The promise is kept, so concurrent first requests share it.
const apps = new Map<string, Promise<App>>();
let migrated: Promise<unknown> | undefined;

async function appFor(issuer: string, env: Env): Promise<App> {
  // Idempotent; `wrangler d1 migrations apply` with the shipped SQL does the same ahead of time.
  // A failed run is forgotten, so the next request tries again.
  migrated ??= migrate(d1Driver(env.DB)).catch((error: unknown) => {
    migrated = undefined;
    throw error;
  });
  await migrated;
  const { demo, signInHint } = demoUserFromEnvironment(env as unknown as Record<string, string | undefined>);
  // Where the Node server prints it at start: in the Worker's log (wrangler tail, the dashboard).
  console.log(`oauthkit reference MCP server on Workers, issuer ${issuer}: ${signInHint}`);
  // No SSRF resolver on Workers (no DNS API): client ID metadata documents are fetched behind
  // oauthkit's built-in guard only (https, no IP literals outside public ranges, no redirects, size
  // and time caps), and Cloudflare's egress does not reach private networks.
  return createApp({ issuer, storage: createSqliteStorage({ driver: d1Driver(env.DB) }), demo });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const issuer = env.ISSUER ? new URL(env.ISSUER).origin : new URL(request.url).origin;
    // oauthkit's routes are keyed by absolute URL: a request that reached the Worker under another
    // host name (127.0.0.1, *.workers.dev) is answered as addressed to the issuer.
    const url = new URL(request.url);
    const addressed = url.origin === issuer ? request : new Request(new URL(url.pathname + url.search, issuer), request);
    let app = apps.get(issuer);
    if (app === undefined) {
      app = appFor(issuer, env);
      apps.set(issuer, app);
      app.catch(() => apps.delete(issuer));
    }
    try {
      // The client address is Cloudflare's, from the edge that terminated the connection.
      const remoteAddress = request.headers.get("cf-connecting-ip") ?? undefined;
      return await (await app).handle(addressed, { remoteAddress });
    } catch (error) {
      // The app answers its own failures; this is D1 failing while migrating: 500 server_error,
      // the detail only in the log, and the next request tries again.
      console.error(error);
      return errorResponse(new OAuthError("server_error", "The server encountered an unexpected error."));
    }
  },
};
