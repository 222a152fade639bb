/**
 * The store goes away and comes back (issue 10, item 8): the reference server runs as its own
 * process on a real Redis / PostgreSQL, the database is stopped mid-test (`redis-cli shutdown`,
 * `pg_ctl stop -m fast`) and started again on the same data.
 *
 * While it is down the process stays up, every request that needs the store gets `500
 * server_error` as JSON within 5 s with nothing internal in the body (RFC 6749 §5.2), and the
 * metadata documents are still served. Once it is back, the tokens issued before the outage work
 * again and the refresh token redeems exactly once: the refresh tried during the outage rotated
 * nothing. The reference server's own pages too: the signed-in Connected apps page and its
 * disconnect, and in federated mode the upstream callback (a second process on the same store).
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../examples/mcp-server/app.js";
import { serve } from "../../examples/node-http/serve.js";
import { createMemoryStorage } from "../../src/index.js";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { callWhoami, postWhoami, signInAndDecide } from "../../scripts/example-flow.mjs";
import {
  type RestartableServer,
  postgresBinaries,
  redisBinary,
  serverMissing,
  startRestartablePostgres,
  startRestartableRedis,
} from "../support/servers.js";
import { type Upstream, browseUpstream, startOidcProvider } from "../federation/support.js";
import { type RunningExample, distBuilt, freePort, startExample } from "./child-process.js";

const REDIRECT_URI = "http://127.0.0.1:8976/callback";
/** The one body a failing store may produce: no driver message, host, port or stack. */
const SERVER_ERROR = { error: "server_error", error_description: "The server encountered an unexpected error." };
/** The issue's bound on an answer while the store is down. */
const WITHIN_MS = 5_000;

interface Tokens {
  access_token: string;
  refresh_token: string;
}

async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
    signal: AbortSignal.timeout(30_000),
  });
}

interface Endpoints {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint: string;
  registration_endpoint: string;
}

const metadataOf = async (origin: string) => (await (await fetch(`${origin}/.well-known/oauth-authorization-server`)).json()) as Endpoints;

/** Registers a public client and runs the authorization-code flow with PKCE up to the tokens. */
async function obtainTokens(origin: string, endpoints: Endpoints): Promise<{ clientId: string; tokens: Tokens }> {
  const registration = await fetch(endpoints.registration_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] }),
  });
  expect(registration.status).toBe(201);
  const clientId = ((await registration.json()) as { client_id: string }).client_id;
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(endpoints.authorization_endpoint);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: "mcp",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    resource: `${origin}/mcp`,
  })) authorize.searchParams.set(name, value);
  const callback: URL = await signInAndDecide(authorize);
  const code = callback.searchParams.get("code");
  expect(code).not.toBeNull();
  const response = await postForm(endpoints.token_endpoint, {
    grant_type: "authorization_code",
    client_id: clientId,
    code: code!,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  expect(response.status).toBe(200);
  return { clientId, tokens: (await response.json()) as Tokens };
}

function callMcp(origin: string, accessToken: string): Promise<Response> {
  return postWhoami(origin, accessToken, { signal: AbortSignal.timeout(30_000) });
}

/** Sends a request while the store is down and checks the answer: 500 server_error, JSON, in time. */
async function expectStoreError(send: () => Promise<Response>): Promise<void> {
  const started = performance.now();
  const response = await send();
  const body = await response.text();
  expect(performance.now() - started).toBeLessThan(WITHIN_MS);
  expect(response.status).toBe(500);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(JSON.parse(body)).toEqual(SERVER_ERROR);
}

/** Polls until the old access token is accepted again: the client reconnects on its own schedule. */
async function waitUntilAccepted(origin: string, accessToken: string): Promise<Response> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await callMcp(origin, accessToken);
    if (response.status === 200 || Date.now() > deadline) return response;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Polls a request until it is no longer the store's 500: the server reconnects on its own schedule. */
async function waitUntilServed(send: () => Promise<Response>): Promise<Response> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await send();
    if (response.status !== 500 || Date.now() > deadline) return response;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A browser on the Connected apps page: keeps the cookie the server sets, reads the CSRF token of each page. */
function connectedAppsBrowser(origin: string) {
  let cookie = "";
  const keep = (response: Response) => {
    const set = response.headers.get("set-cookie");
    if (set) cookie = set.split(";")[0]!;
    return response;
  };
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const page = () => fetch(`${origin}/connected-apps`, { headers: { Cookie: cookie }, redirect: "manual", signal: AbortSignal.timeout(30_000) }).then(keep);
  const post = (fields: Record<string, string>) =>
    fetch(`${origin}/connected-apps`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
      body: new URLSearchParams(fields),
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    }).then(keep);
  return {
    page,
    post,
    csrfOf,
    /** Signs in with the demo account (no store involved: sessions are the process's own). */
    async signIn(): Promise<string> {
      const form = await page();
      const signedIn = await post({ csrf: csrfOf(await form.text()), action: "sign-in", username: "demo", password: "demo" });
      expect(signedIn.status).toBe(303);
      const listed = await page();
      expect(listed.status).toBe(200);
      return listed.text();
    },
  };
}

/** The reference server's environment for federated mode (server.ts): sign-in at `upstream`. */
function federatedEnvironment(upstream: Upstream): Record<string, string> {
  return {
    UPSTREAM_ISSUER: upstream.issuer,
    UPSTREAM_CLIENT_ID: upstream.clientId,
    UPSTREAM_CLIENT_SECRET: upstream.clientSecret,
    UPSTREAM_TOKEN_AUTH_METHOD: "client_secret_post",
    PROPS_KEYS: "k1:3q2-7wAAAAC6vLq8urq8urq8urq8urq8urq8urq8urw",
  };
}

function describeOutage(kind: "redis" | "postgres", start: () => Promise<{ server: RestartableServer; env: Record<string, string> }>) {
  describe.skipIf(!distBuilt(`store outage with ${kind}`))(`reference server when ${kind} goes away and comes back`, () => {
    let database: RestartableServer | undefined;
    let env: Record<string, string> | undefined;
    let app: RunningExample | undefined;

    beforeAll(async () => {
      const started = await start();
      database = started.server;
      env = started.env;
      app = await startExample("examples/mcp-server/server.ts", started.env);
    }, 90_000);

    afterAll(async () => {
      app?.stop();
      await database?.stop();
    });

    it("stays up and answers 500 server_error within 5 s while the store is down (RFC 6749 §5.2), then recovers with nothing lost or half-rotated (RFC 9700 §4.14.2)", async () => {
      const { origin } = app!;
      const endpoints = await metadataOf(origin);
      const { clientId, tokens } = await obtainTokens(origin, endpoints);
      expect(await callWhoami(origin, tokens.access_token)).toBe("demo");

      await database!.shutdown();

      // Bearer validation: one store call, which fails.
      await expectStoreError(() => callMcp(origin, tokens.access_token));
      // The refresh fails at its first store call; it must not have rotated anything (checked below).
      await expectStoreError(() => postForm(endpoints.token_endpoint, { grant_type: "refresh_token", client_id: clientId, refresh_token: tokens.refresh_token }));
      await expectStoreError(() => postForm(endpoints.revocation_endpoint, { client_id: clientId, token: tokens.access_token }));
      await expectStoreError(() =>
        fetch(endpoints.registration_endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" }),
        }),
      );
      // The reference server's own authorization page reads the client from the store.
      const authorize = new URL(endpoints.authorization_endpoint);
      authorize.search = new URLSearchParams({ response_type: "code", client_id: clientId, code_challenge: "a".repeat(43), code_challenge_method: "S256" }).toString();
      await expectStoreError(() => fetch(authorize));

      // Metadata needs no store.
      const metadata = await fetch(`${origin}/.well-known/oauth-authorization-server`);
      expect(metadata.status).toBe(200);
      expect(((await metadata.json()) as Endpoints).token_endpoint).toBe(endpoints.token_endpoint);
      const resourceMetadata = await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`);
      expect(resourceMetadata.status).toBe(200);
      await resourceMetadata.body?.cancel();

      // Reconnection attempts keep failing in the background meanwhile: the process must survive them.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(app!.child.exitCode).toBeNull();
      expect(app!.child.signalCode).toBeNull();
      expect(app!.output()).not.toMatch(/unhandled/i);

      await database!.restart();

      // The access token issued before the outage is valid again.
      const accepted = await waitUntilAccepted(origin, tokens.access_token);
      expect(accepted.status).toBe(200);
      await accepted.body?.cancel();
      expect(await callWhoami(origin, tokens.access_token)).toBe("demo");

      // The refresh token issued before the outage redeems exactly once…
      const refreshed = await postForm(endpoints.token_endpoint, { grant_type: "refresh_token", client_id: clientId, refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(200);
      const next = (await refreshed.json()) as Tokens;
      expect(next.refresh_token).not.toBe(tokens.refresh_token);
      expect(await callWhoami(origin, next.access_token)).toBe("demo");
      // …and a second use is a replay (RFC 9700 §4.14.2).
      const replay = await postForm(endpoints.token_endpoint, { grant_type: "refresh_token", client_id: clientId, refresh_token: tokens.refresh_token });
      expect(replay.status).toBe(400);
      expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");

      expect(app!.child.exitCode).toBeNull();
    }, 120_000);

    it("Connected apps page: a signed-in GET and a disconnect POST answer 500 server_error within 5 s while the store is down, the app stays connected, and both work once it is back", async () => {
      const { origin } = app!;
      const endpoints = await metadataOf(origin);
      const { clientId, tokens } = await obtainTokens(origin, endpoints);
      const browser = connectedAppsBrowser(origin);
      const html = await browser.signIn();
      expect(html).toContain(`data-client-id="${clientId}"`);
      const csrf = browser.csrfOf(html);
      const grantId = /name="grant" value="([^"]+)"/.exec(html.slice(html.indexOf(`data-client-id="${clientId}"`)))?.[1];
      expect(grantId).toBeDefined();

      await database!.shutdown();

      // The page lists the user's grants from the store; the disconnect revokes one there.
      await expectStoreError(() => browser.page());
      await expectStoreError(() => browser.post({ csrf, action: "disconnect", grant: grantId! }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(app!.child.exitCode).toBeNull();
      expect(app!.child.signalCode).toBeNull();
      expect(app!.output()).not.toMatch(/unhandled/i);

      await database!.restart();

      // Nothing was revoked while the store was down: the page lists the app, its token works.
      const listed = await waitUntilServed(() => browser.page());
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain(`data-client-id="${clientId}"`);
      expect(await callWhoami(origin, tokens.access_token)).toBe("demo");
      // The disconnect now goes through (303 back, RFC 7009 §2.1 semantics: the app's tokens stop working).
      const disconnected = await browser.post({ csrf, action: "disconnect", grant: grantId! });
      expect(disconnected.status).toBe(303);
      expect(disconnected.headers.get("location")).toBe(`${origin}/connected-apps?disconnected=1`);
      const refused = await callMcp(origin, tokens.access_token);
      expect(refused.status).toBe(401);
      await refused.body?.cancel();
      expect(app!.child.exitCode).toBeNull();
    }, 120_000);

    it("federated mode: /upstream/callback answers 500 server_error within 5 s while the store is down, and the same callback completes the sign-in (consent, code) once it is back", async () => {
      const port = await freePort();
      const origin = `http://localhost:${port}`;
      const upstream = await startOidcProvider({ method: "client_secret_post", redirectUri: `${origin}/upstream/callback`, accessTokenTtl: 3600 });
      let federated: RunningExample | undefined;
      try {
        federated = await startExample("examples/mcp-server/server.ts", { ...env!, ...federatedEnvironment(upstream), PORT: String(port) });
        const endpoints = await metadataOf(origin);
        const registration = await fetch(endpoints.registration_endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" }),
        });
        expect(registration.status).toBe(201);
        const { client_id: clientId } = (await registration.json()) as { client_id: string };
        const authorize = new URL(endpoints.authorization_endpoint);
        authorize.search = new URLSearchParams({
          response_type: "code",
          client_id: clientId,
          redirect_uri: REDIRECT_URI,
          state: "s1",
          code_challenge: createHash("sha256").update("v".repeat(43)).digest("base64url"),
          code_challenge_method: "S256",
        }).toString();
        // Straight to the upstream, which signs the user in and sends them back with a code.
        const started = await fetch(authorize, { redirect: "manual" });
        expect(started.status).toBe(302);
        const callback = await browseUpstream(started.headers.get("location")!, `${origin}/upstream/callback`, "carol");

        await database!.shutdown();

        // The callback re-reads the client of the pending request from the store first.
        await expectStoreError(() => fetch(callback, { redirect: "manual", signal: AbortSignal.timeout(30_000) }));
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(federated.child.exitCode).toBeNull();
        expect(federated.child.signalCode).toBeNull();
        expect(federated.output()).not.toMatch(/unhandled/i);

        await database!.restart();

        // The upstream code was not spent during the outage: the same callback signs the user in,
        // and our consent page (per app, federated mode) issues the code.
        const consent = await waitUntilServed(() => fetch(callback, { redirect: "manual", signal: AbortSignal.timeout(30_000) }));
        expect(consent.status).toBe(200);
        const html = await consent.text();
        const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";
        const back = await fetch(`${origin}/upstream/consent`, {
          method: "POST",
          redirect: "manual",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: (consent.headers.get("set-cookie") ?? "").split(";")[0]! },
          body: new URLSearchParams({ csrf: field("csrf"), query: "", sign_in: field("sign_in"), approve: "1" }),
        });
        expect(back.status).toBe(302);
        const redirect = new URL(back.headers.get("location")!);
        expect(redirect.origin + redirect.pathname).toBe(REDIRECT_URI);
        expect(redirect.searchParams.get("state")).toBe("s1");
        expect(redirect.searchParams.get("code")).toMatch(/^[\w-]{43}$/);
      } finally {
        federated?.stop();
        await upstream.stop();
      }
    }, 120_000);
  });
}

describe("reference server when the store fails while a code is issued", () => {
  it("redirects the approval to the client with error=server_error (RFC 6749 §4.1.2.1), the detail only in the log", async () => {
    const storage = createMemoryStorage();
    const failure = new Error("connect ECONNREFUSED 127.0.0.1:6379");
    storage.saveAuthorizationCode = () => Promise.reject(failure);
    const http = await serve((origin) => createApp({ issuer: origin, storage, demo: { username: "demo", password: "demo" } }).handle, {
      port: 0,
      hostname: "127.0.0.1",
    });
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    // Keeps a copy of every response, to read the answer to the approval that the flow refuses.
    const responses: Response[] = [];
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (...args: Parameters<typeof fetch>) => {
      const response = await realFetch(...args);
      responses.push(response.clone());
      return response;
    });
    try {
      const endpoints = await metadataOf(http.origin);
      const registration = await fetch(endpoints.registration_endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" }),
      });
      const { client_id: clientId } = (await registration.json()) as { client_id: string };
      const authorize = new URL(endpoints.authorization_endpoint);
      authorize.search = new URLSearchParams({ response_type: "code", client_id: clientId, code_challenge: "a".repeat(43), code_challenge_method: "S256" }).toString();

      // signInAndDecide requires the decision to answer 302 and returns where it redirects.
      const location = await signInAndDecide(authorize);
      expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
      expect(location.searchParams.get("error")).toBe("server_error");
      expect(location.searchParams.get("code")).toBeNull();
      expect(location.searchParams.get("iss")).toBe(http.origin);
      expect(location.href).not.toContain("ECONNREFUSED");
      expect(responses.some((response) => response.status === 500)).toBe(false);
      expect(log).toHaveBeenCalledWith(expect.stringContaining("unexpected error"), failure);
    } finally {
      spy.mockRestore();
      log.mockRestore();
      await http.close();
    }
  });
});

const redis = redisBinary();
if (redis === null) serverMissing("store outage with redis", "redis-server not found");
else describeOutage("redis", async () => {
  const server = await startRestartableRedis(redis);
  return { server, env: { REDIS_URL: server.url } };
});

const postgres = postgresBinaries();
if (postgres === null) serverMissing("store outage with postgres", "initdb/postgres not found");
else describeOutage("postgres", async () => {
  const server = await startRestartablePostgres(postgres);
  const { host, port, user, database } = server.connection;
  return { server, env: { DATABASE_URL: `postgres://${user}@${host}:${port}/${database}` } };
});
