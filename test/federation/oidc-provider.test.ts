/**
 * Federation end to end against a real upstream OpenID provider (oidc-provider): sign-in through
 * its forms, our tokens, our refresh without an upstream call, exactly one upstream refresh for 20
 * concurrent protected requests on two instances, upstream revocation -> our 401, and store dumps
 * (Redis, PostgreSQL) without upstream tokens or plaintext props (issue 12).
 */
import pg from "pg";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthorizationServer, type BearerTokenInfo, type Storage, createAuthorizationServer, createMemoryStorage, generateId } from "../../src/index.js";
import { type Federation, type UpstreamTokens, createFederation, fetchUpstreamUserinfoSubject } from "../../src/federation/index.js";
import { createPostgresStorage, migrate } from "../../src/storage/postgres/index.js";
import { createRedisStorage } from "../../src/storage/redis/index.js";
import { countStorageCalls } from "../../src/testing/index.js";
import { ISSUER, RESOURCE, RFC7636_CHALLENGE, type TestClient, authorizeUrl, exchangeCode, registerClient, tokenRequest } from "../support/fixtures.js";
import { postgresBinaries, redisBinary, startPostgres, startRedis } from "../support/servers.js";
import { dumpPrefix } from "../support/redis-inspect.js";
import { type Upstream, browseUpstream, startOidcProvider } from "./support.js";

const PROPS_KEYS = { keys: [{ id: "k1", key: "3q2-7wAAAAC6vLq8urq8urq8urq8urq8urq8urq8urw" }] };
const REDIRECT = `${ISSUER}/upstream/callback`;
const UPSTREAM_TTL = 30;

function clock() {
  let offset = 0;
  return { now: () => Math.floor(Date.now() / 1000) + offset, advance: (seconds: number) => void (offset += seconds) };
}

function instance(storage: Storage, upstream: Upstream, method: "client_secret_basic" | "client_secret_post", now: () => number): { server: AuthorizationServer; federation: Federation } {
  const server = createAuthorizationServer({
    issuer: ISSUER,
    storage,
    scopesSupported: ["read", "write"],
    resources: [RESOURCE],
    accessTokenLifetime: 86_400,
    props: PROPS_KEYS,
    now,
  });
  const federation = createFederation(server, {
    upstream: { issuer: upstream.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret, tokenEndpointAuthMethod: method, fetch: upstream.fetch },
    refreshMargin: 5,
  });
  return { server, federation };
}

const bearer = (token: string) => new Request(RESOURCE, { headers: { Authorization: `Bearer ${token}` } });

/** The browser's way through our /authorize, the upstream's forms, our callback and consent. */
async function signIn(federation: Federation, server: AuthorizationServer, client: TestClient): Promise<{ access_token: string; refresh_token: string }> {
  const query = authorizeUrl({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.record.redirect_uris[0],
    scope: "read write",
    state: "downstream-state",
    code_challenge: RFC7636_CHALLENGE,
    code_challenge_method: "S256",
  });
  const toUpstream = await federation.startUpstreamAuthorization(new Request(query));
  expect(toUpstream.status).toBe(302);
  const upstreamUrl = new URL(toUpstream.headers.get("location")!);
  // PKCE S256 and offline_access with prompt=consent upstream (OpenID Connect Core §11).
  expect(upstreamUrl.searchParams.get("code_challenge_method")).toBe("S256");
  expect(upstreamUrl.searchParams.get("scope")).toBe("openid offline_access");
  expect(upstreamUrl.searchParams.get("prompt")).toBe("consent");
  const callback = await browseUpstream(upstreamUrl.href, federation.redirectUri);
  const signedIn = await federation.handleUpstreamCallback(new Request(callback));
  if (signedIn instanceof Response) throw new Error(`callback refused: ${signedIn.status} ${signedIn.headers.get("location")}`);
  expect(signedIn.identity.subject).toBe("alice");
  // The consent page posts the sealed sign-in back; it reopens without any server-side store.
  const reopened = await federation.openSignIn(signedIn.sealed);
  expect(reopened?.identity.subject).toBe("alice");
  const redirect = await federation.approve(reopened!);
  const code = new URL(redirect.headers.get("location")!).searchParams.get("code")!;
  const response = await exchangeCode(server, client, code);
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token: string };
}

/** The whole scenario of the issue over one store; returns every upstream token seen in clear. */
async function scenario(storage: Storage, method: "client_secret_basic" | "client_secret_post"): Promise<string[]> {
  const upstream = await startOidcProvider({ method, redirectUri: REDIRECT, accessTokenTtl: UPSTREAM_TTL });
  try {
    const time = clock();
    const counted = countStorageCalls(storage);
    const a = instance(counted.storage, upstream, method, time.now);
    const b = instance(storage, upstream, method, time.now);
    const client = await registerClient(storage);
    const tokens = await signIn(a.federation, a.server, client);
    const seen: string[] = [];

    counted.reset();
    const first = (await a.federation.validateBearerToken(bearer(tokens.access_token))) as BearerTokenInfo;
    expect(first.subject).toBe("alice");
    expect(counted.total()).toBe(1); // upstream token valid: exactly one storage call
    const firstUpstream = first.props!["upstream"] as UpstreamTokens;
    seen.push(firstUpstream.access_token, firstUpstream.refresh_token!);
    expect(await fetchUpstreamUserinfoSubject({ issuer: upstream.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret }, firstUpstream.access_token)).toBe("alice");

    // Our refresh while the upstream token is valid: no upstream call.
    const refreshed = await a.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }));
    expect(refreshed.status).toBe(200);
    const ours = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(upstream.tokenRequests["refresh_token"]).toBeUndefined();

    // Upstream expiry: 20 concurrent protected requests on two instances, one upstream refresh.
    time.advance(UPSTREAM_TTL + 1);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).federation.validateBearerToken(bearer(ours.access_token))));
    expect(upstream.tokenRequests["refresh_token"]).toBe(1);
    const upstreamTokens = results.map((result) => ((result as BearerTokenInfo).props!["upstream"] as UpstreamTokens).access_token);
    expect(new Set(upstreamTokens).size).toBe(1);
    expect(upstreamTokens[0]).not.toBe(firstUpstream.access_token);
    const current = (results[0] as BearerTokenInfo).props!["upstream"] as UpstreamTokens;
    seen.push(current.access_token, current.refresh_token!);
    // The refreshed upstream token works upstream.
    expect(await fetchUpstreamUserinfoSubject({ issuer: upstream.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret }, current.access_token)).toBe("alice");
    // Every token of the grant reads the new props (none holds a stale copy); no further refresh.
    counted.reset();
    const old = (await a.federation.validateBearerToken(bearer(tokens.access_token))) as BearerTokenInfo;
    expect((old.props!["upstream"] as UpstreamTokens).access_token).toBe(current.access_token);
    expect(counted.total()).toBe(1);
    // One client authentication method for the code exchange and every refresh.
    expect(new Set(upstream.authentications)).toEqual(new Set([method]));

    // Upstream revocation: the next upstream refresh gets invalid_grant, our grant is revoked, 401.
    await upstream.revoke(current.refresh_token!);
    time.advance(UPSTREAM_TTL + 1);
    const denied = (await b.federation.validateBearerToken(bearer(ours.access_token))) as Response;
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
    const afterRevocation = await a.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: ours.refresh_token }));
    expect(afterRevocation.status).toBe(400);
    expect(await afterRevocation.json()).toMatchObject({ error: "invalid_grant" });
    return seen;
  } finally {
    await upstream.stop();
  }
}

describe("federation with oidc-provider upstream (issue 12)", () => {
  for (const method of ["client_secret_basic", "client_secret_post"] as const) {
    it(`full flow with ${method} required upstream, over the memory store`, async () => {
      const seen = await scenario(createMemoryStorage(), method);
      expect(seen.every((token) => typeof token === "string" && token.length > 10)).toBe(true);
    }, 60_000);
  }

  it("the state is sealed and expiring: a tampered or foreign state gets 400, no upstream call", async () => {
    const upstream = await startOidcProvider({ method: "client_secret_basic", redirectUri: REDIRECT });
    try {
      const { federation } = instance(createMemoryStorage(), upstream, "client_secret_basic", clock().now);
      const response = await federation.handleUpstreamCallback(new Request(`${REDIRECT}?code=x&state=k1.AAAAAAAAAAAAAAAA.AAAA`));
      expect((response as Response).status).toBe(400);
      expect(upstream.tokenRequests["authorization_code"]).toBeUndefined();
    } finally {
      await upstream.stop();
    }
  });

  it("requires props.keys on the server (TypeError naming it)", () => {
    const server = createAuthorizationServer({ issuer: ISSUER, storage: createMemoryStorage(), resources: [RESOURCE] });
    expect(() => createFederation(server, { upstream: { issuer: "https://idp.example.com", clientId: "c", clientSecret: "s" } })).toThrow(/props\.keys/);
  });

  const redis = redisBinary();
  const postgres = postgresBinaries();
  describe.skipIf(redis === null)("over Redis: the dump holds no upstream token and no plaintext props", () => {
    let stop: (() => Promise<void>) | undefined;
    afterAll(async () => stop?.());
    it("after the flow", async () => {
      const server = await startRedis(redis!);
      const client = createClient({ url: server.url });
      client.on("error", () => {});
      await client.connect();
      stop = async () => {
        await client.close();
        await server.stop();
      };
      const seen = await scenario(createRedisStorage({ client, prefix: `fed-${generateId()}:` }), "client_secret_basic");
      const dump = await dumpPrefix([client], "");
      expect(dump).toContain("alice");
      for (const token of seen) expect(dump).not.toContain(token);
      expect(dump).not.toContain("refresh_token\":");
      expect(dump).not.toContain("upstream");
    }, 60_000);
  });

  describe.skipIf(postgres === null)("over PostgreSQL: the dump holds no upstream token and no plaintext props", () => {
    let stop: (() => Promise<void>) | undefined;
    beforeAll(() => undefined);
    afterAll(async () => stop?.());
    it("after the flow", async () => {
      const server = await startPostgres(postgres!);
      const pool = new pg.Pool({ ...server.connection, max: 10 });
      pool.on("error", () => {});
      stop = async () => {
        await pool.end();
        await server.stop();
      };
      const schema = `fed_${generateId().replace(/-/g, "_")}`;
      await migrate(pool, { schema });
      const seen = await scenario(createPostgresStorage({ pool, schema }), "client_secret_basic");
      const rows: string[] = [];
      for (const table of ["clients", "authorization_codes", "grants", "refresh_families", "access_tokens"]) {
        const result = await pool.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}".${table} t`);
        rows.push(...result.rows.map((r) => `${table} ${r.row}`));
      }
      const dump = rows.join("\n");
      expect(dump).toContain("alice");
      for (const token of seen) expect(dump).not.toContain(token);
      expect(dump).not.toContain("upstream");
    }, 60_000);
  });
});
