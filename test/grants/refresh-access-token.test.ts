/**
 * refreshAccessToken on its own (RFC 6749 §6, RFC 9700 §4.14.2, OAuth 2.1 §4.3): rotation, reuse
 * detection, the grace window, narrowing — plain inputs, the four storage methods it declares.
 */
import { describe, expect, it } from "vitest";
import { type IssuedTokens, exchangeAuthorizationCode, generateToken, hashTaggedToken, hashToken, refreshAccessToken, refreshFamilyHash } from "../../src/index.js";
import type { OAuthEventInput } from "../../src/events.js";
import type { TokenHook, TokenHookInput } from "../../src/grants/token-hook.js";
import { createSealer } from "../../src/sealing.js";
import { RFC7636_VERIFIER } from "../support/fixtures.js";
import { type GrantSetup, RESOURCE, grantSetup, rejection } from "./support.js";

async function firstTokens(t: GrantSetup): Promise<IssuedTokens> {
  return exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, t.deps);
}

describe("refreshAccessToken (RFC 6749 §6)", () => {
  it("rotates: a new refresh token and access token, the old refresh token stops working (OAuth 2.1 §4.3.1)", async () => {
    const t = grantSetup();
    const first = await firstTokens(t);
    const next = await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps);
    expect(next).toMatchObject({ tokenType: "Bearer", grantId: first.grantId, scope: ["read", "write"], subject: "alice" });
    expect(next.refreshToken).not.toBe(first.refreshToken);
    const grant = await t.storage.getGrantByRefreshFamily(refreshFamilyHash(next.refreshToken!));
    expect(grant?.refresh?.tokenHash).toBe(hashToken(next.refreshToken!));
    expect(grant?.refresh?.previousTokenHash).toBe(hashToken(first.refreshToken!));
  });

  it("a rotated-out token presented again revokes the whole grant (RFC 9700 §4.14.2)", async () => {
    const t = grantSetup();
    const first = await firstTokens(t);
    const next = await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps);
    const reuse = await rejection(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps));
    expect(reuse).toMatchObject({ error: "invalid_grant", description: "The refresh token is invalid or has expired.", status: 400 });
    expect(await t.storage.getAccessToken(hashTaggedToken(next.accessToken))).toBeNull();
    expect((await rejection(refreshAccessToken({ client: t.client, refreshToken: next.refreshToken! }, t.deps))).error).toBe("invalid_grant");
  });

  it("another client's token is invalid_grant but revokes nothing (RFC 6749 §6: bound to its client)", async () => {
    const t = grantSetup();
    const first = await firstTokens(t);
    const other = { ...t.client, client_id: "other" };
    expect((await rejection(refreshAccessToken({ client: other, refreshToken: first.refreshToken! }, t.deps))).error).toBe("invalid_grant");
    await expect(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps)).resolves.toBeDefined();
  });

  it("narrows scope and audience, refusing wider ones before anything changes (RFC 6749 §6, RFC 8707 §2.2)", async () => {
    const t = grantSetup();
    const first = await firstTokens(t);
    expect((await rejection(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken!, scope: ["offline_access"] }, t.deps))).error).toBe("invalid_scope");
    expect((await rejection(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken!, scope: ['bad"token'] }, t.deps))).error).toBe("invalid_scope");
    expect((await rejection(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken!, resource: ["https://elsewhere.example/"] }, t.deps))).error).toBe(
      "invalid_target",
    );
    const narrowed = await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken!, scope: ["read"], resource: [RESOURCE] }, t.deps);
    expect(narrowed).toMatchObject({ scope: ["read"], audience: [RESOURCE] });
  });

  it("refuses an idle-expired token (idleLifetime) and a grant past its absolute lifetime", async () => {
    const t = grantSetup({ refreshTokens: { idleLifetime: 100, absoluteLifetime: 1000 } });
    const first = await firstTokens(t);
    t.clock.advance(101);
    expect((await rejection(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps))).error).toBe("invalid_grant");
  });

  it("with rotation: public-clients, a confidential client keeps its refresh token", async () => {
    const t = grantSetup({ refreshTokens: { rotation: "public-clients" } }, { token_endpoint_auth_method: "client_secret_basic", client_secret_hash: hashToken("s") });
    const first = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, t.deps);
    const next = await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps);
    expect(next.refreshToken).toBeUndefined();
    await expect(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps)).resolves.toBeDefined();
  });
});

describe("the grace window (docs/token-endpoint.md#grace-window)", () => {
  const grace = { refreshTokens: { gracePeriod: 30, rotationSecret: generateToken() } };

  it("a repeat of the just-rotated token inside the window gets the same successor and a new access token", async () => {
    const t = grantSetup(grace);
    const first = await firstTokens(t);
    const next = await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps);
    t.clock.advance(29);
    const repeat = await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps);
    expect(repeat.refreshToken).toBe(next.refreshToken);
    expect(repeat.accessToken).not.toBe(next.accessToken);
    expect(await t.storage.getAccessToken(hashTaggedToken(repeat.accessToken))).not.toBeNull();
  });

  it("past the window, the same repeat is reuse and revokes the grant (RFC 9700 §4.14.2)", async () => {
    const t = grantSetup(grace);
    const first = await firstTokens(t);
    const next = await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps);
    t.clock.advance(30);
    expect((await rejection(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps))).error).toBe("invalid_grant");
    expect((await rejection(refreshAccessToken({ client: t.client, refreshToken: next.refreshToken! }, t.deps))).error).toBe("invalid_grant");
  });

  it("a token two rotations old is reuse even inside the window", async () => {
    const t = grantSetup(grace);
    const first = await firstTokens(t);
    const second = await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps);
    await refreshAccessToken({ client: t.client, refreshToken: second.refreshToken! }, t.deps);
    expect((await rejection(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, t.deps))).error).toBe("invalid_grant");
  });

  it("calls only the storage methods it declares: lookup + rotate, then lookup + saveAccessToken in the window", async () => {
    const t = grantSetup(grace);
    const first = await firstTokens(t);
    const calls: string[] = [];
    const s = t.storage;
    const storage = {
      getGrantByRefreshFamily: (hash: string) => (calls.push("getGrantByRefreshFamily"), s.getGrantByRefreshFamily(hash)),
      rotateRefreshToken: (...args: Parameters<typeof s.rotateRefreshToken>) => (calls.push("rotateRefreshToken"), s.rotateRefreshToken(...args)),
      saveAccessToken: (...args: Parameters<typeof s.saveAccessToken>) => (calls.push("saveAccessToken"), s.saveAccessToken(...args)),
      revokeGrant: (...args: Parameters<typeof s.revokeGrant>) => (calls.push("revokeGrant"), s.revokeGrant(...args)),
    };
    const deps = { storage, policy: t.policy, now: t.clock.now };
    await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, deps);
    await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, deps);
    expect(calls).toEqual(["getGrantByRefreshFamily", "rotateRefreshToken", "getGrantByRefreshFamily", "saveAccessToken"]);
  });
});

describe("refreshAccessToken with the token hook, sealed props and events", () => {
  const sealer = () => createSealer([{ id: "k", key: generateToken() }], "props.keys");
  // Each issue hands the hook the grant's current props and gets them back counted up.
  const counting = (calls: TokenHookInput[]): TokenHook => (input) => {
    calls.push(input);
    return { props: { n: Number(input.props?.["n"] ?? 0) + 1 } };
  };

  it("every rotation stores the hook's props for the next one: the props version is compared and moves on (compare-and-set)", async () => {
    const t = grantSetup();
    const calls: TokenHookInput[] = [];
    const deps = { ...t.deps, sealer: sealer(), tokenHook: counting(calls) };
    let tokens = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, deps);
    for (let i = 0; i < 3; i++) tokens = await refreshAccessToken({ client: t.client, refreshToken: tokens.refreshToken! }, deps);
    expect(calls.map((call) => [call.grantType, call.props?.["n"]])).toEqual([
      ["authorization_code", undefined],
      ["refresh_token", 1],
      ["refresh_token", 2],
      ["refresh_token", 3],
    ]);
    expect((await t.storage.getGrantByRefreshFamily(refreshFamilyHash(tokens.refreshToken!)))?.propsVersion).toBe(3);
  });

  it("a hook that returns props with a storage lacking updateGrantProps is a TypeError naming the method", async () => {
    const t = grantSetup();
    const deps = { ...t.deps, sealer: sealer(), tokenHook: counting([]) };
    const first = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, deps);
    const { getGrantByRefreshFamily, rotateRefreshToken, saveAccessToken, revokeGrant } = t.storage;
    const storage = { getGrantByRefreshFamily, rotateRefreshToken, saveAccessToken, revokeGrant };
    await expect(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, { ...deps, storage })).rejects.toThrowError(
      new TypeError("tokenHook returned props: the storage given to refreshAccessToken needs updateGrantProps."),
    );
    // Refused before the rotation: the client's refresh token still works, nothing was revoked.
    const grant = await t.storage.getGrantByRefreshFamily(refreshFamilyHash(first.refreshToken!));
    expect(grant?.refresh?.tokenHash).toBe(hashToken(first.refreshToken!));
    expect((await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, deps)).refreshToken).toBeDefined();
  });

  it("a repeat inside the grace window runs the hook as a refresh and tells refresh_token.rotated; reuse tells refresh_token.reused (RFC 9700 §4.14.2)", async () => {
    const t = grantSetup({ refreshTokens: { gracePeriod: 30, rotationSecret: generateToken() } });
    const calls: TokenHookInput[] = [];
    const events: OAuthEventInput[] = [];
    const deps = { ...t.deps, sealer: sealer(), tokenHook: counting(calls), emit: (event: OAuthEventInput) => void events.push(event) };
    const first = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, deps);
    expect(events.map((event) => event.type)).toEqual(["authorization_code.redeemed"]);
    events.length = 0;
    await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, deps);
    await refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, deps);
    expect(calls.map((call) => call.grantType)).toEqual(["authorization_code", "refresh_token", "refresh_token"]);
    const ids = { clientId: "app", subject: "alice", grantId: first.grantId };
    expect(events).toEqual([
      { type: "refresh_token.rotated", ...ids },
      { type: "refresh_token.rotated", ...ids },
    ]);
    t.clock.advance(30);
    await rejection(refreshAccessToken({ client: t.client, refreshToken: first.refreshToken! }, deps));
    expect(events.at(-1)).toEqual({ type: "refresh_token.reused", ...ids });
  });
});
