import { describe, expect, it } from "vitest";
import { deriveToken } from "../../src/crypto.js";
import { type Storage, createMemoryStorage, generateToken, hashToken, refreshFamilyHash, hashTaggedToken } from "../../src/index.js";
import {
  RESOURCE,
  type TestClient,
  type TestServer,
  createTestServer,
  exchangeCode,
  obtainCode,
  registerClient,
  testClock,
  tokenRequest,
} from "../support/fixtures.js";

const SECRET = generateToken();

interface Tokens {
  access_token: string;
  refresh_token?: string;
  scope: string;
  expires_in: number;
}

async function start(config: Parameters<typeof createTestServer>[0] = {}, method: "client_secret_basic" | "none" = "client_secret_basic") {
  const t = createTestServer(config);
  const client = await registerClient(t.storage, { method });
  const tokens = (await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { props: { tenant: "acme" } }))).json()) as Tokens;
  return { ...t, client, tokens };
}

function refresh(t: Pick<TestServer, "server">, client: TestClient, refreshToken: string, extra: Record<string, string> = {}) {
  return t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: refreshToken, ...extra }));
}

async function isActive(t: Pick<TestServer, "server">, accessToken: string): Promise<boolean> {
  const result = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${accessToken}` } }));
  return !(result instanceof Response);
}

describe("refresh_token grant (RFC 6749 §6, RFC 9700 §4.14)", () => {
  it("rotates on every use: a new refresh token, the old one stops working (OAuth 2.1 §4.3.1)", async () => {
    const t = await start();
    const response = await refresh(t, t.client, t.tokens.refresh_token!);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const next = (await response.json()) as Tokens;
    // <family>.<secret>, the family being <slot tag>.<256 bits> (src/token-format.ts)
    expect(next.refresh_token).toMatch(/^[A-Za-z0-9_-]{4}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(refreshFamilyHash(next.refresh_token!)).toBe(refreshFamilyHash(t.tokens.refresh_token!));
    expect(next.refresh_token).not.toBe(t.tokens.refresh_token);
    expect(next.scope).toBe("read write");
    expect(await isActive(t, next.access_token)).toBe(true);
    // The previous access token is untouched by a normal rotation.
    expect(await isActive(t, t.tokens.access_token)).toBe(true);
  });

  it("revokes the whole grant when a rotated-out refresh token is presented again (RFC 9700 §4.14.2)", async () => {
    const t = await start();
    const second = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    const third = (await (await refresh(t, t.client, second.refresh_token!)).json()) as Tokens;

    const reuse = await refresh(t, t.client, t.tokens.refresh_token!);
    expect(reuse.status).toBe(400);
    expect((await reuse.json()).error).toBe("invalid_grant");
    // Every token descended from the authorization is gone.
    expect(await isActive(t, t.tokens.access_token)).toBe(false);
    expect(await isActive(t, second.access_token)).toBe(false);
    expect(await isActive(t, third.access_token)).toBe(false);
    expect((await refresh(t, t.client, third.refresh_token!)).status).toBe(400);
  });

  it("yields exactly one success for 20 parallel refreshes of one token, and treats the rest as reuse", async () => {
    const t = await start();
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(t, t.client, t.tokens.refresh_token!)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 400)).toHaveLength(19);
    // Without a grace window a concurrent second use is reuse: the grant is revoked (documented).
    const winner = (await responses.find((r) => r.status === 200)!.json()) as Tokens;
    expect(await isActive(t, winner.access_token)).toBe(false);
  });

  it("narrows scope on request and refuses widening with invalid_scope (RFC 6749 §6)", async () => {
    const t = await start();
    const narrowed = await refresh(t, t.client, t.tokens.refresh_token!, { scope: "read" });
    const body = (await narrowed.json()) as Tokens;
    expect(body.scope).toBe("read");
    // The grant keeps its scope: the next refresh without `scope` gets all of it back.
    const again = (await (await refresh(t, t.client, body.refresh_token!)).json()) as Tokens;
    expect(again.scope).toBe("read write");

    const wider = await refresh(t, t.client, again.refresh_token!, { scope: "read write offline_access" });
    expect(wider.status).toBe(400);
    expect((await wider.json()).error).toBe("invalid_scope");
    // A refused request does not cost the client its token.
    expect((await refresh(t, t.client, again.refresh_token!)).status).toBe(200);
  });

  it("refuses another client's refresh token with invalid_grant, without revoking it (RFC 6749 §6)", async () => {
    const t = await start();
    const other = await registerClient(t.storage);
    const response = await refresh(t, other, t.tokens.refresh_token!);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("invalid_grant");
    expect((await refresh(t, t.client, t.tokens.refresh_token!)).status).toBe(200);
  });

  it("expires an unused refresh token after the idle lifetime", async () => {
    const t = await start({ refreshTokens: { idleLifetime: 100 } });
    t.clock.advance(99);
    const next = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    t.clock.advance(100);
    const response = await refresh(t, t.client, next.refresh_token!);
    expect((await response.json()).error).toBe("invalid_grant");
  });

  it("ends the grant at its absolute lifetime however often it is refreshed", async () => {
    const t = await start({ refreshTokens: { idleLifetime: 100, absoluteLifetime: 250 } });
    let token = t.tokens.refresh_token!;
    for (let i = 0; i < 2; i++) {
      t.clock.advance(90);
      const body = (await (await refresh(t, t.client, token)).json()) as Tokens;
      token = body.refresh_token!;
      // Access tokens never outlive the grant.
      expect(body.expires_in).toBeLessThanOrEqual(250 - 90 * (i + 1));
    }
    t.clock.advance(90);
    expect((await (await refresh(t, t.client, token)).json()).error).toBe("invalid_grant");
  });

  it("carries the grant's props through every rotation", async () => {
    const t = await start();
    const next = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    const info = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${next.access_token}` } }));
    expect(info).toMatchObject({ props: { tenant: "acme" }, subject: "user-1" });
  });

  it("narrows the audience with resource, and refuses a resource outside the grant (RFC 8707 §2.2)", async () => {
    const t = await start();
    const wrong = await refresh(t, t.client, t.tokens.refresh_token!, { resource: "https://other.example.com/api" });
    expect((await wrong.json()).error).toBe("invalid_target");
    const ok = await refresh(t, t.client, t.tokens.refresh_token!, { resource: RESOURCE });
    expect(ok.status).toBe(200);
  });

  it("refuses an unknown refresh token and a missing one", async () => {
    const t = await start();
    expect((await (await refresh(t, t.client, "unknown")).json()).error).toBe("invalid_grant");
    const missing = await t.server.handleTokenRequest(tokenRequest(t.client, { grant_type: "refresh_token" }));
    expect((await missing.json()).error).toBe("invalid_request");
  });

  it("can keep the refresh token of confidential clients while always rotating public clients' (OAuth 2.1 §4.3.1)", async () => {
    const confidential = await start({ refreshTokens: { rotation: "public-clients" } });
    const body = (await (await refresh(confidential, confidential.client, confidential.tokens.refresh_token!)).json()) as Tokens;
    expect(body.refresh_token).toBeUndefined();
    expect((await refresh(confidential, confidential.client, confidential.tokens.refresh_token!)).status).toBe(200);

    const pub = await start({ refreshTokens: { rotation: "public-clients" } }, "none");
    const rotated = (await (await refresh(pub, pub.client, pub.tokens.refresh_token!)).json()) as Tokens;
    expect(rotated.refresh_token).toBeDefined();
    expect((await refresh(pub, pub.client, pub.tokens.refresh_token!)).status).toBe(400);
  });
});

describe("refresh grace window (gracePeriod)", () => {
  it("gives the token just rotated out the same successor inside the window", async () => {
    const t = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const first = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    // The response was "lost": the client retries with the old token.
    t.clock.advance(10);
    const retry = await refresh(t, t.client, t.tokens.refresh_token!);
    expect(retry.status).toBe(200);
    const second = (await retry.json()) as Tokens;
    expect(second.refresh_token).toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(await isActive(t, second.access_token)).toBe(true);
    // The one successor keeps working afterwards.
    expect((await refresh(t, t.client, first.refresh_token!)).status).toBe(200);
  });

  it("treats the old token as reuse after the window and revokes the grant (RFC 9700 §4.14.2)", async () => {
    const t = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const first = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    t.clock.advance(30);
    const late = await refresh(t, t.client, t.tokens.refresh_token!);
    expect((await late.json()).error).toBe("invalid_grant");
    expect(await isActive(t, first.access_token)).toBe(false);
  });

  it("does not extend to a token two rotations back", async () => {
    const t = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const first = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    await refresh(t, t.client, first.refresh_token!);
    expect((await refresh(t, t.client, t.tokens.refresh_token!)).status).toBe(400);
    expect((await refresh(t, t.client, first.refresh_token!)).status).toBe(400);
  });

  it("lets all 20 parallel refreshes of one token succeed with one and the same successor (documented)", async () => {
    const t = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(t, t.client, t.tokens.refresh_token!)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Tokens[];
    expect(new Set(bodies.map((b) => b.refresh_token)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.access_token)).size).toBe(20);
    const grant = await t.storage.getGrantByRefreshFamily(refreshFamilyHash(bodies[0]!.refresh_token!));
    expect(grant?.refresh?.tokenHash).toBe(hashToken(bodies[0]!.refresh_token!));
  });

  it("is off by default", async () => {
    const t = await start();
    await refresh(t, t.client, t.tokens.refresh_token!);
    expect((await refresh(t, t.client, t.tokens.refresh_token!)).status).toBe(400);
  });
});

describe("refresh rotation secret (refreshTokens.rotationSecret)", () => {
  it("is required when gracePeriod > 0: TypeError at startup naming the option", () => {
    expect(() => createTestServer({ refreshTokens: { gracePeriod: 30 } })).toThrow(TypeError);
    expect(() => createTestServer({ refreshTokens: { gracePeriod: 30 } })).toThrow(/refreshTokens\.rotationSecret is required/);
    expect(() => createTestServer({ refreshTokens: { gracePeriod: 30, rotationSecret: [] } })).toThrow(/refreshTokens\.rotationSecret is required/);
    // Not needed without the window.
    expect(() => createTestServer({ refreshTokens: { gracePeriod: 0 } })).not.toThrow();
  });

  it.each([
    ["too short (31 bytes)", SECRET.slice(0, 42)],
    ["not base64url", `${SECRET.slice(0, 42)}+/=`],
    ["empty", ""],
  ])("refuses a secret that is %s, without quoting it", (_what, secret) => {
    let error: unknown;
    try {
      createTestServer({ refreshTokens: { gracePeriod: 30, rotationSecret: secret } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^refreshTokens\.rotationSecret must be base64url of at least 32 bytes/);
    if (secret !== "") expect((error as Error).message).not.toContain(secret.slice(0, 20));
    expect(() => createTestServer({ refreshTokens: { gracePeriod: 30, rotationSecret: [SECRET, secret] } })).toThrow(/refreshTokens\.rotationSecret\[1\] must be base64url/);
  });

  it("a storage dump plus an old refresh token does not compute the current one (RFC 9700 §4.14.2)", async () => {
    // Everything the store is given and gives back: a superset of what it holds.
    const clock = testClock();
    const memory = createMemoryStorage({ now: clock.now });
    const dump: unknown[] = [];
    const recorded = new Proxy(memory, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          dump.push(property, args);
          const result = await value.apply(target, args);
          dump.push(result);
          return result;
        };
      },
    }) as Storage;
    const server = createTestServer({ storage: recorded, now: clock.now, refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } }).server;
    const client = await registerClient(memory);
    const tokens = (await (await exchangeCode(server, client, await obtainCode(server, client))).json()) as Tokens;
    const t = { server, storage: memory, clock, client, tokens };
    const t1 = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    clock.advance(31);
    const t2 = (await (await refresh(t, t.client, t1.refresh_token!)).json()) as Tokens;
    clock.advance(31);
    const old = t1.refresh_token!;
    const current = t2.refresh_token!;

    const text = JSON.stringify(dump);
    expect(text).toContain(hashToken(current)); // the dump does cover the grant's refresh state
    expect(text).not.toContain(current);
    const strings = new Set<string>();
    const collect = (value: unknown): void => {
      if (typeof value === "string") strings.add(value);
      else if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) (strings.add(k), collect(v));
    };
    collect(JSON.parse(text));
    expect(strings.size).toBeGreaterThan(20);
    const grantIds = [...strings].filter((s) => /^[A-Za-z0-9_-]{4}\.[A-Za-z0-9_-]{22}$/.test(s));
    expect(grantIds.length).toBeGreaterThan(0);
    // The family is in the old token already; the secret part is what must not be computable.
    const currentSecret = current.slice(current.lastIndexOf(".") + 1);
    for (const key of strings) {
      for (const input of [old, ...grantIds.map((id) => `${id}.${old}`), ...grantIds.map((id) => id + old)]) {
        expect(deriveToken(key, input)).not.toBe(currentSecret);
      }
    }
    // The harness is no straw man: with the host's secret the same computation succeeds.
    const grant = await memory.getGrantByRefreshFamily(refreshFamilyHash(current));
    expect(deriveToken(Buffer.from(SECRET, "base64url"), `${grant!.grantId}.${old}`)).toBe(currentSecret);
    // And the old token is reuse: it revokes the grant (outside the window).
    expect((await refresh(t, t.client, old)).status).toBe(400);
    expect(await isActive(t, t2.access_token)).toBe(false);
  });

  it("secret rotation: a list derives with its first secret and recognises repeats made with any (documented)", async () => {
    const older = generateToken();
    const t = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: older } });
    const config = (rotationSecret: string | string[]) => ({ storage: t.storage, now: t.clock.now, refreshTokens: { gracePeriod: 30, rotationSecret } });
    const first = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;

    // Redeployed with [newer, older]: the repeat inside the window still gets the same successor.
    const newer = generateToken();
    const rotated = createTestServer(config([newer, older]));
    const retry = await refresh(rotated, t.client, t.tokens.refresh_token!);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as Tokens).refresh_token).toBe(first.refresh_token);
    // The next successor comes from the newer secret.
    const grantId = (await t.storage.getGrantByRefreshFamily(refreshFamilyHash(first.refresh_token!)))!.grantId;
    const second = (await (await refresh(rotated, t.client, first.refresh_token!)).json()) as Tokens;
    const family = first.refresh_token!.slice(0, first.refresh_token!.lastIndexOf("."));
    expect(second.refresh_token).toBe(`${family}.${deriveToken(Buffer.from(newer, "base64url"), `${grantId}.${first.refresh_token}`)}`);

    // Dropping the older secret while a window it opened is still running: that repeat is reuse.
    const again = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: older } });
    await refresh(again, again.client, again.tokens.refresh_token!);
    const dropped = createTestServer({ storage: again.storage, now: again.clock.now, refreshTokens: { gracePeriod: 30, rotationSecret: newer } });
    const late = await refresh(dropped, again.client, again.tokens.refresh_token!);
    expect(late.status).toBe(400);
    expect((await late.json()).error).toBe("invalid_grant");
  });

  it("a record written before rotationSecret, with its own rotationKey, still gets its successor inside the window", async () => {
    const t = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    // Rewrite the grant as an earlier version stored it: a token of the format before refresh
    // families (its own family) and its successor derived from a per-grant rotationKey.
    const legacyKey = generateToken();
    const previous = generateToken();
    const grant = (await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token!)))!;
    const successor = deriveToken(legacyKey, previous);
    const legacy = { ...grant, rotationKey: legacyKey, refresh: { tokenHash: hashToken(successor), expiresAt: grant.expiresAt, previousTokenHash: hashToken(previous), rotatedAt: t.clock.now() } };
    const storage: Storage = { ...t.storage, getGrantByRefreshFamily: async (hash) => (hash === hashToken(previous) ? legacy : null) };
    const server = createTestServer({ storage, now: t.clock.now, refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const retry = await refresh(server, t.client, previous);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as Tokens).refresh_token).toBe(successor);
  });

  it("a token from before refresh families repeated inside the window gets the successor of either format (upgrade)", async () => {
    const t = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const previous = generateToken();
    const grant = (await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token!)))!;
    // Rotated by the version before families: the successor is the bare derived secret.
    const successor = deriveToken(Buffer.from(SECRET, "base64url"), `${grant.grantId}.${previous}`);
    const legacy = { ...grant, refresh: { tokenHash: hashToken(successor), expiresAt: grant.expiresAt, previousTokenHash: hashToken(previous), rotatedAt: t.clock.now() } };
    const storage: Storage = { ...t.storage, getGrantByRefreshFamily: async (hash) => (hash === hashToken(previous) ? legacy : null) };
    const server = createTestServer({ storage, now: t.clock.now, refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const retry = await refresh(server, t.client, previous);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as Tokens).refresh_token).toBe(successor);
  });
});

describe("refresh_token grant: the checks the library makes itself (RFC 6749 §6, RFC 9700 §4.14.2)", () => {
  /** As `start`, over a store that expires nothing itself (its clock stands still). */
  async function startLenient(config: Parameters<typeof createTestServer>[0] = {}, storage = createMemoryStorage({ now: () => 1_800_000_000 })) {
    const t = { ...createTestServer({ storage, ...config }), storage };
    const client = await registerClient(t.storage);
    const tokens = (await (await exchangeCode(t.server, client, await obtainCode(t.server, client))).json()) as Tokens;
    return { ...t, client, tokens };
  }

  it("refuses the first refresh token once idle for idleLifetime, even if the store still has it", async () => {
    const early = await startLenient({ refreshTokens: { idleLifetime: 100 } });
    early.clock.advance(99);
    expect((await refresh(early, early.client, early.tokens.refresh_token!)).status).toBe(200);
    const late = await startLenient({ refreshTokens: { idleLifetime: 100 } });
    late.clock.advance(100);
    const response = await refresh(late, late.client, late.tokens.refresh_token!);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_grant", error_description: "The refresh token is invalid or has expired." });
  });

  it("refuses a refresh token of a grant past its absolute lifetime, even if the store still returns the grant", async () => {
    // A store that keeps the grant past its end, with a refresh state that claims to outlive it.
    const endingIn10 = async () => {
      const t = await startLenient();
      const grant = (await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token!)))!;
      const end = t.clock.now() + 10;
      const stale = { ...grant, expiresAt: end, refresh: { ...grant.refresh!, expiresAt: end + 1000 } };
      t.storage.getGrantByRefreshFamily = async () => stale;
      return t;
    };
    const before = await endingIn10();
    before.clock.advance(9);
    expect((await refresh(before, before.client, before.tokens.refresh_token!)).status).toBe(200);
    const after = await endingIn10();
    after.clock.advance(10);
    const response = await refresh(after, after.client, after.tokens.refresh_token!);
    expect(await response.json()).toEqual({ error: "invalid_grant", error_description: "The refresh token is invalid or has expired." });
  });

  it("refuses a grant without refresh state as invalid_grant, without revoking it", async () => {
    const t = await startLenient();
    const grant = await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token!));
    const { refresh: _dropped, ...withoutRefresh } = grant!;
    const getGrant = t.storage.getGrantByRefreshFamily.bind(t.storage);
    t.storage.getGrantByRefreshFamily = async () => withoutRefresh;
    expect((await (await refresh(t, t.client, t.tokens.refresh_token!)).json()).error).toBe("invalid_grant");
    t.storage.getGrantByRefreshFamily = getGrant;
    expect(await isActive(t, t.tokens.access_token)).toBe(true);
  });

  it("records each rotation: successor, idle expiry capped at the grant's end, previous token and time (RFC 9700 §4.14.2)", async () => {
    const t = await startLenient({ refreshTokens: { idleLifetime: 100, absoluteLifetime: 150 } });
    const start = t.clock.now();
    t.clock.advance(20);
    const next = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    expect((await t.storage.getGrantByRefreshFamily(refreshFamilyHash(next.refresh_token!)))?.refresh).toEqual({
      tokenHash: hashToken(next.refresh_token!),
      expiresAt: start + 120,
      previousTokenHash: hashToken(t.tokens.refresh_token!),
      rotatedAt: start + 20,
      familyHash: refreshFamilyHash(t.tokens.refresh_token!),
    });
    t.clock.advance(80);
    const last = (await (await refresh(t, t.client, next.refresh_token!)).json()) as Tokens;
    // min(now + idle, grant end) = min(start + 200, start + 150)
    expect((await t.storage.getGrantByRefreshFamily(refreshFamilyHash(last.refresh_token!)))?.refresh?.expiresAt).toBe(start + 150);
  });

  it("renews the idle lifetime of a refresh token it does not rotate (rotation: public-clients)", async () => {
    const t = await startLenient({ refreshTokens: { idleLifetime: 100, rotation: "public-clients" } });
    for (let i = 0; i < 3; i++) {
      t.clock.advance(99);
      const response = await refresh(t, t.client, t.tokens.refresh_token!);
      expect(response.status).toBe(200);
      expect(((await response.json()) as Tokens).refresh_token).toBeUndefined();
    }
    expect((await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token!)))?.refresh).toEqual({
      tokenHash: hashToken(t.tokens.refresh_token!),
      familyHash: refreshFamilyHash(t.tokens.refresh_token!),
      expiresAt: t.clock.now() + 100,
    });
    t.clock.advance(100);
    expect((await refresh(t, t.client, t.tokens.refresh_token!)).status).toBe(400);
  });

  it("gives no grace to a token rotated out when its successor has itself expired, and revokes the grant", async () => {
    const t = await startLenient({ refreshTokens: { idleLifetime: 20, gracePeriod: 30, rotationSecret: SECRET } });
    const next = (await (await refresh(t, t.client, t.tokens.refresh_token!)).json()) as Tokens;
    t.clock.advance(19);
    const inTime = await refresh(t, t.client, t.tokens.refresh_token!);
    expect(((await inTime.json()) as Tokens).refresh_token).toBe(next.refresh_token);
    t.clock.advance(1);
    const retry = await refresh(t, t.client, t.tokens.refresh_token!);
    expect(retry.status).toBe(400);
    expect(await t.storage.getGrantByRefreshFamily(refreshFamilyHash(next.refresh_token!))).toBeNull();
  });

  it("gives no grace to a rotated-out token of a grant rotated without a key (gracePeriod turned on later)", async () => {
    // Issued and rotated while the window was off: no rotation key, so no successor to reproduce.
    const off = await startLenient();
    const storage = off.storage;
    const next = (await (await refresh(off, off.client, off.tokens.refresh_token!)).json()) as Tokens;
    const on = createTestServer({ storage, refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const reuse = await on.server.handleTokenRequest(tokenRequest(off.client, { grant_type: "refresh_token", refresh_token: off.tokens.refresh_token! }));
    expect(reuse.status).toBe(400);
    expect(await storage.getGrantByRefreshFamily(refreshFamilyHash(next.refresh_token!))).toBeNull();
  });

  it("gives the repeat inside the window an access token the store keeps, with the grant's scope", async () => {
    const t = await startLenient({ refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    await refresh(t, t.client, t.tokens.refresh_token!, { scope: "read" });
    const retry = (await (await refresh(t, t.client, t.tokens.refresh_token!, { scope: "write" })).json()) as Tokens;
    expect(retry.scope).toBe("write");
    expect(await t.storage.getAccessToken(hashTaggedToken(retry.access_token))).toMatchObject({ scope: ["write"], clientId: t.client.clientId });
  });
});

describe("refresh_token grant: successors and races (RFC 9700 §4.14.2)", () => {
  it("draws a random successor without a grace window: one token value in two grants gets two successors", async () => {
    // The same refresh token value in two independent grants: a successor derived from the token
    // alone (without the per-grant key) would be the same in both, and computable by its holder.
    const successors: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t = createTestServer();
      const client = await registerClient(t.storage, { clientId: "c", secret: "s" });
      const now = t.clock.now();
      await t.storage.createGrant(
        { grantId: `g${i}`, clientId: "c", subject: "u", scope: ["read"], resource: [RESOURCE], issuedAt: now, expiresAt: now + 1000, refresh: { tokenHash: hashToken("the-same-token"), expiresAt: now + 1000 } },
        { tokenHash: hashToken(`access-${i}`), grantId: `g${i}`, clientId: "c", subject: "u", scope: ["read"], audience: [RESOURCE], issuedAt: now, expiresAt: now + 60 },
      );
      const response = await refresh(t, client, "the-same-token");
      expect(response.status).toBe(200);
      successors.push(((await response.json()) as Tokens).refresh_token!);
    }
    // A token from before refresh families is its own family: its successor is <token>.<secret>.
    expect(successors[0]).toMatch(/^the-same-token\.[A-Za-z0-9_-]{43}$/);
    expect(successors[0]).not.toBe(successors[1]);
  });

  it("judges the loser of a race without a grace window as reuse without reading the grant again", async () => {
    const t = await start();
    let lookups = 0;
    const getGrant = t.storage.getGrantByRefreshFamily.bind(t.storage);
    t.storage.getGrantByRefreshFamily = (hash) => (lookups++, getGrant(hash));
    const responses = await Promise.all([refresh(t, t.client, t.tokens.refresh_token!), refresh(t, t.client, t.tokens.refresh_token!)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 400]);
    // One lookup per request: the lost compare-and-rotate is answered at once (grant revoked).
    expect(lookups).toBe(2);
    expect(await isActive(t, t.tokens.access_token)).toBe(false);
  });
});

describe("refresh_token grant: the grace window's own guards (RFC 9700 §4.14.2)", () => {
  it("keeps the window shut when it is off, even on an instance whose clock lags the one that rotated", async () => {
    // Two instances over one store: the first, with a window, issued and rotated the token; the
    // second has the window off and a clock 10 s behind, so "now < rotatedAt + 0" would hold there.
    const storage = createMemoryStorage({ now: () => 1_800_000_000 });
    const first = { ...createTestServer({ storage, refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } }), storage };
    const client = await registerClient(storage);
    const tokens = (await (await exchangeCode(first.server, client, await obtainCode(first.server, client))).json()) as Tokens;
    first.clock.advance(10);
    const next = (await (await refresh(first, client, tokens.refresh_token!)).json()) as Tokens;
    const second = { ...createTestServer({ storage, refreshTokens: { gracePeriod: 0 } }), storage };
    const reuse = await refresh(second, client, tokens.refresh_token!);
    expect(reuse.status).toBe(400);
    expect(await storage.getGrantByRefreshFamily(refreshFamilyHash(next.refresh_token!))).toBeNull();
  });

  it("answers invalid_grant, not a 500, when the grant re-read after a lost race has no refresh state", async () => {
    const t = await start({ refreshTokens: { gracePeriod: 30, rotationSecret: SECRET } });
    const grant = (await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token!)))!;
    const { refresh: _state, ...withoutRefresh } = grant;
    let reads = 0;
    // Another request rotated first, and the store then answers with a grant that lost its state.
    t.storage.getGrantByRefreshFamily = async () => (++reads === 1 ? grant : withoutRefresh);
    t.storage.rotateRefreshToken = async () => false;
    const response = await refresh(t, t.client, t.tokens.refresh_token!);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_grant", error_description: "The refresh token is invalid or has expired." });
    expect(reads).toBe(2);
    expect(await isActive(t, t.tokens.access_token)).toBe(false);
  });
});

describe("refresh_token grant: no derived successor and no grace without a window (RFC 9700 §4.14.2)", () => {
  it("draws a random successor when gracePeriod is 0, even with a rotationSecret configured", async () => {
    // Same secret, same grant id, same token in two servers: a derived successor would be the same twice.
    const successors: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t = createTestServer({ refreshTokens: { gracePeriod: 0, rotationSecret: SECRET } });
      const client = await registerClient(t.storage, { clientId: "c", secret: "s" });
      const now = t.clock.now();
      await t.storage.createGrant(
        { grantId: "g", clientId: "c", subject: "u", scope: ["read"], resource: [RESOURCE], issuedAt: now, expiresAt: now + 1000, refresh: { tokenHash: hashToken("the-same-token"), expiresAt: now + 1000 } },
        { tokenHash: hashToken("access"), grantId: "g", clientId: "c", subject: "u", scope: ["read"], audience: [RESOURCE], issuedAt: now, expiresAt: now + 60 },
      );
      const response = await refresh(t, client, "the-same-token");
      expect(response.status).toBe(200);
      successors.push(((await response.json()) as Tokens).refresh_token!);
    }
    // A token from before refresh families is its own family: its successor is <token>.<secret>.
    expect(successors[0]).toMatch(/^the-same-token\.[A-Za-z0-9_-]{43}$/);
    expect(successors[0]).not.toBe(successors[1]);
  });

  it("revokes on a repeat of the previous token when gracePeriod is 0, even if its successor is derivable and the clock lags", async () => {
    // A record an earlier version wrote with a window and a per-grant rotationKey, read by an
    // instance with the window off whose clock is 10 s behind the rotation: "now < rotatedAt + 0" holds.
    const t = await start({ refreshTokens: { gracePeriod: 0 } });
    const old = t.tokens.refresh_token!;
    const legacyKey = generateToken();
    const grant = (await t.storage.getGrantByRefreshFamily(refreshFamilyHash(old)))!;
    const successor = deriveToken(legacyKey, old);
    const legacy = {
      ...grant,
      rotationKey: legacyKey,
      refresh: { tokenHash: hashToken(successor), expiresAt: grant.expiresAt, previousTokenHash: hashToken(old), rotatedAt: t.clock.now() + 10 },
    };
    const revoked: string[] = [];
    const storage: Storage = {
      ...t.storage,
      getGrantByRefreshFamily: async (hash) => (hash === refreshFamilyHash(old) ? legacy : null),
      revokeGrant: async (grantId, options) => {
        revoked.push(grantId);
        return t.storage.revokeGrant(grantId, options);
      },
    };
    const server = createTestServer({ storage, now: t.clock.now, refreshTokens: { gracePeriod: 0 } });
    const reuse = await refresh(server, t.client, old);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({ error: "invalid_grant", error_description: "The refresh token is invalid or has expired." });
    expect(revoked).toEqual([grant.grantId]);
    expect(await isActive(t, t.tokens.access_token)).toBe(false);
  });
});
