/**
 * exchangeAuthorizationCode on its own (RFC 6749 §4.1.3): plain inputs, the three storage methods
 * it declares, IssuedTokens out.
 */
import { describe, expect, it } from "vitest";
import { exchangeAuthorizationCode, hashTaggedToken, hashToken, refreshFamilyHash } from "../../src/index.js";
import { generateGrantId } from "../../src/token-format.js";
import { RFC7636_CHALLENGE, RFC7636_VERIFIER } from "../support/fixtures.js";
import { OTHER_RESOURCE, REDIRECT_URI, RESOURCE, grantSetup, rejection } from "./support.js";

describe("exchangeAuthorizationCode (RFC 6749 §4.1.3)", () => {
  it("issues IssuedTokens: Bearer, expires_in, scope, a refresh token, the grant, subject and audience", async () => {
    const t = grantSetup();
    const tokens = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, t.deps);
    expect(tokens).toMatchObject({ tokenType: "Bearer", expiresIn: 3600, scope: ["read", "write"], subject: "alice", audience: [RESOURCE, OTHER_RESOURCE] });
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{4}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    const stored = await t.storage.getAccessToken(hashTaggedToken(tokens.accessToken));
    expect(stored).toMatchObject({ grantId: tokens.grantId, clientId: "app", subject: "alice", expiresAt: t.clock.now() + 3600 });
  });

  it("narrows the audience to the requested resources, and refuses one outside the code's (RFC 8707 §2.2)", async () => {
    const t = grantSetup();
    const narrowed = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER, resource: [RESOURCE] }, t.deps);
    expect(narrowed.audience).toEqual([RESOURCE]);
    const wider = await t.code({ resource: [RESOURCE] });
    expect((await rejection(exchangeAuthorizationCode({ client: t.client, code: wider, codeVerifier: RFC7636_VERIFIER, resource: [OTHER_RESOURCE] }, t.deps))).error).toBe("invalid_target");
  });

  it("refuses a replay and revokes what the first use issued (RFC 6749 §4.1.2, RFC 9700 §4.2.4)", async () => {
    const t = grantSetup();
    const code = await t.code();
    const tokens = await exchangeAuthorizationCode({ client: t.client, code, codeVerifier: RFC7636_VERIFIER }, t.deps);
    const replay = await rejection(exchangeAuthorizationCode({ client: t.client, code, codeVerifier: RFC7636_VERIFIER }, t.deps));
    expect(replay).toMatchObject({ error: "invalid_grant", description: "The authorization code has already been used.", status: 400 });
    expect(await t.storage.getAccessToken(hashTaggedToken(tokens.accessToken))).toBeNull();
    expect(await t.storage.getGrantByRefreshFamily(refreshFamilyHash(tokens.refreshToken!))).toBeNull();
  });

  it("refuses an unknown code, another client's code, and an expired code (RFC 6749 §4.1.3)", async () => {
    const t = grantSetup();
    expect((await rejection(exchangeAuthorizationCode({ client: t.client, code: "nope", codeVerifier: RFC7636_VERIFIER }, t.deps))).error).toBe("invalid_grant");
    const other = { ...t.client, client_id: "other" };
    expect((await rejection(exchangeAuthorizationCode({ client: other, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, t.deps))).description).toBe(
      "The authorization code was issued to another client.",
    );
    const code = await t.code();
    // The memory store stops returning it at expiry; a store whose clock lags is caught by the grant's own check.
    const lagging = { ...t.deps, now: () => t.clock.now() + 61 };
    expect((await rejection(exchangeAuthorizationCode({ client: t.client, code, codeVerifier: RFC7636_VERIFIER }, lagging))).description).toBe(
      "The authorization code is invalid or has expired.",
    );
  });

  it("requires the redirect_uri when the authorization request had one, and refuses another (RFC 6749 §4.1.3)", async () => {
    const t = grantSetup();
    const missing = await rejection(exchangeAuthorizationCode({ client: t.client, code: await t.code({ redirectUri: REDIRECT_URI }), codeVerifier: RFC7636_VERIFIER }, t.deps));
    expect(missing.description).toBe("The redirect_uri parameter is required: it was in the authorization request.");
    const wrong = await rejection(
      exchangeAuthorizationCode({ client: t.client, code: await t.code({ redirectUri: REDIRECT_URI }), codeVerifier: RFC7636_VERIFIER, redirectUri: `${REDIRECT_URI}/x` }, t.deps),
    );
    expect(wrong.description).toBe("The redirect_uri does not match the authorization request.");
    await expect(exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER, redirectUri: REDIRECT_URI }, t.deps)).resolves.toBeDefined();
  });

  it("checks PKCE with verifyPkce: missing and wrong verifiers are invalid_grant and spend the code (RFC 7636 §4.6)", async () => {
    const t = grantSetup();
    const code = await t.code();
    expect((await rejection(exchangeAuthorizationCode({ client: t.client, code }, t.deps))).description).toBe("The code_verifier parameter is required (RFC 7636).");
    // Spent: the right verifier now meets a used code.
    expect((await rejection(exchangeAuthorizationCode({ client: t.client, code, codeVerifier: RFC7636_VERIFIER }, t.deps))).description).toBe(
      "The authorization code has already been used.",
    );
  });

  it("issues no refresh token when the client is not registered for refresh_token, and bounds the grant by the access token", async () => {
    const t = grantSetup({}, { grant_types: ["authorization_code"] });
    const tokens = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, t.deps);
    expect(tokens.refreshToken).toBeUndefined();
  });

  it("calls only the storage methods it declares", async () => {
    const t = grantSetup();
    const code = await t.code();
    const calls: string[] = [];
    const storage = {
      redeemAuthorizationCode: (hash: string) => (calls.push("redeemAuthorizationCode"), t.storage.redeemAuthorizationCode(hash)),
      createGrant: (...args: Parameters<typeof t.storage.createGrant>) => (calls.push("createGrant"), t.storage.createGrant(...args)),
      revokeGrant: (...args: Parameters<typeof t.storage.revokeGrant>) => (calls.push("revokeGrant"), t.storage.revokeGrant(...args)),
    };
    await exchangeAuthorizationCode({ client: t.client, code, codeVerifier: RFC7636_VERIFIER }, { storage, policy: t.policy, now: t.clock.now });
    await rejection(exchangeAuthorizationCode({ client: t.client, code, codeVerifier: RFC7636_VERIFIER }, { storage, policy: t.policy, now: t.clock.now }));
    expect(calls).toEqual(["redeemAuthorizationCode", "createGrant", "redeemAuthorizationCode", "revokeGrant"]);
  });
});

describe("exchangeAuthorizationCode: what the code carries moves to the grant", () => {
  it("clear props of a code stored before props were sealed reach the grant and its access token", async () => {
    const t = grantSetup();
    const code = "legacy-code-with-clear-props";
    await t.storage.saveAuthorizationCode({
      codeHash: hashToken(code),
      grantId: generateGrantId(),
      clientId: "app",
      subject: "alice",
      scope: ["read"],
      resource: [RESOURCE],
      codeChallenge: RFC7636_CHALLENGE,
      codeChallengeMethod: "S256",
      props: { tenant: "t-1" },
      issuedAt: t.clock.now(),
      expiresAt: t.clock.now() + 60,
    });
    const tokens = await exchangeAuthorizationCode({ client: t.client, code, codeVerifier: RFC7636_VERIFIER }, t.deps);
    expect((await t.storage.getAccessToken(hashTaggedToken(tokens.accessToken)))?.props).toEqual({ tenant: "t-1" });
    expect((await t.storage.getGrantByRefreshFamily(refreshFamilyHash(tokens.refreshToken!)))?.props).toEqual({ tenant: "t-1" });
  });

  it("checks the S256 verifier with the hasher it was given (RFC 7636 §4.6), as it hashes the code", async () => {
    const t = grantSetup();
    const code = await t.code();
    const hashed: string[] = [];
    const hash = (value: string): string => (hashed.push(value), hashToken(value));
    await exchangeAuthorizationCode({ client: t.client, code, codeVerifier: RFC7636_VERIFIER }, { ...t.deps, hash });
    expect(hashed).toContain(code);
    expect(hashed).toContain(RFC7636_VERIFIER);
  });
});
