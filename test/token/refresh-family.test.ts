/**
 * Refresh families (src/token-format.ts): reuse of any old token of a family is detected without
 * the store keeping rotated-out hashes, and knowing a family is worth no more than holding a token
 * of it (RFC 9700 §4.14.2, RFC 7009).
 */
import { describe, expect, it } from "vitest";
import { generateToken, refreshFamilyHash } from "../../src/index.js";
import { generateGrantId, hashTaggedToken, refreshFamilyOf, slotTagOf } from "../../src/token-format.js";
import { RESOURCE, type TestClient, type TestServer, createTestServer, exchangeCode, obtainCode, registerClient, tokenRequest } from "../support/fixtures.js";

interface Tokens {
  access_token: string;
  refresh_token?: string;
}

async function start(config: Parameters<typeof createTestServer>[0] = {}) {
  const t = createTestServer(config);
  const client = await registerClient(t.storage);
  const tokens = (await (await exchangeCode(t.server, client, await obtainCode(t.server, client))).json()) as Tokens;
  return { ...t, client, tokens };
}

function refresh(t: Pick<TestServer, "server">, client: TestClient, refreshToken: string) {
  return t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: refreshToken }));
}

async function isActive(t: Pick<TestServer, "server">, accessToken: string): Promise<boolean> {
  const result = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${accessToken}` } }));
  return !(result instanceof Response);
}

async function rotations(t: Awaited<ReturnType<typeof start>>, count: number): Promise<string[]> {
  const tokens = [t.tokens.refresh_token!];
  for (let i = 0; i < count; i++) {
    const response = await refresh(t, t.client, tokens.at(-1)!);
    expect(response.status).toBe(200);
    tokens.push(((await response.json()) as Tokens).refresh_token!);
  }
  return tokens;
}

describe("refresh families (RFC 9700 §4.14.2)", () => {
  it("detects reuse of a token many rotations old and revokes the grant, though the store keeps only two hashes", async () => {
    const t = await start();
    const tokens = await rotations(t, 10);
    const grant = await t.storage.getGrantByRefreshFamily(refreshFamilyHash(tokens[0]!));
    expect(grant).not.toBeNull();
    const before = t.storage.countGrantRecords(grant!.grantId);
    const reuse = await refresh(t, t.client, tokens[1]!);
    expect(reuse.status).toBe(400);
    expect((await reuse.json()).error).toBe("invalid_grant");
    // The whole family is revoked: the current refresh token and the live access tokens.
    expect((await refresh(t, t.client, tokens.at(-1)!)).status).toBe(400);
    expect(await isActive(t, t.tokens.access_token)).toBe(false);
    expect(t.storage.countGrantRecords(grant!.grantId)).toBeLessThan(before);
  });

  it("keeps every token of a grant in one family and slot: refresh and access tokens carry the grant's tag", async () => {
    const t = await start();
    const tokens = await rotations(t, 3);
    const grant = (await t.storage.getGrantByRefreshFamily(refreshFamilyHash(tokens[0]!)))!;
    const tag = slotTagOf(grant.grantId);
    expect(tag).toMatch(/^[A-Za-z0-9_-]{4}$/);
    for (const token of tokens) {
      expect(refreshFamilyOf(token)).toBe(refreshFamilyOf(tokens[0]!));
      expect(slotTagOf(token)).toBe(tag);
    }
    expect(slotTagOf(t.tokens.access_token)).toBe(tag);
    expect(grant.refresh?.familyHash).toBe(refreshFamilyHash(tokens[0]!));
    // The family is not the grant id, and the record holds only its hash.
    expect(refreshFamilyOf(tokens[0]!)).not.toContain(grant.grantId.slice(5));
    expect(JSON.stringify(grant)).not.toContain(refreshFamilyOf(tokens[0]!));
  });

  it("a made-up token of a known family is refused without issuing anything; another client cannot even revoke with it (RFC 6749 §6)", async () => {
    const t = await start();
    const forged = `${refreshFamilyOf(t.tokens.refresh_token!)}.${generateToken()}`;
    const other = await registerClient(t.storage);
    const foreign = await refresh(t, other, forged);
    expect(foreign.status).toBe(400);
    expect((await foreign.json()).error).toBe("invalid_grant");
    expect(await isActive(t, t.tokens.access_token)).toBe(true);
    // The client itself: the family is revoked, which it could do with its own token (RFC 7009).
    const own = await refresh(t, t.client, forged);
    expect(own.status).toBe(400);
    const body = await own.json();
    expect(body).toEqual({ error: "invalid_grant", error_description: "The refresh token is invalid or has expired." });
    expect(await isActive(t, t.tokens.access_token)).toBe(false);
  });

  it("refuses malformed and unknown tokens with invalid_grant and revokes nothing", async () => {
    const t = await start();
    for (const token of ["", ".", "a.b", "{abc}.x.y", "abcd.", `zzzz.${generateToken()}.${generateToken()}`, generateToken(), "x".repeat(2000)]) {
      const response = await refresh(t, t.client, token);
      expect(response.status, token).toBe(400);
      expect((await response.json()).error, token).toMatch(/^invalid_(grant|request)$/);
    }
    expect(await isActive(t, t.tokens.access_token)).toBe(true);
    expect((await refresh(t, t.client, t.tokens.refresh_token!)).status).toBe(200);
  });
});

describe("token format helpers", () => {
  it("tags grant ids and keeps the tag, and only a well-formed one, in hashes", () => {
    const id = generateGrantId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{4}\.[A-Za-z0-9_-]{22}$/);
    const tag = slotTagOf(id)!;
    expect(hashTaggedToken(`${tag}.secret`)).toMatch(new RegExp(`^${tag.replace(/[-]/g, "\\-")}\\.[A-Za-z0-9_-]{43}$`));
    for (const untagged of ["plain", "abc.x", "ab}c.x", "abcde.x", "ab{c.x"]) {
      expect(slotTagOf(untagged), untagged).toBeUndefined();
      expect(hashTaggedToken(untagged)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(refreshFamilyOf("legacy")).toBe("legacy");
    expect(refreshFamilyOf("a.b.c")).toBe("a.b");
  });
});
