/**
 * The five components, imported from the BUILT package (dist/, as a user gets it) and used
 * without createAuthorizationServer (issue 11): client authenticator, PKCE verifier, token
 * exchanger, refresh rotator, metadata builder. Each gets a storage object with only the methods
 * it declares (Pick<Storage, …>): touching any other property fails the test.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type * as OAuthKit from "../../src/index.js";
import type { ClientRecord, Storage } from "../../src/index.js";
import { distBuilt, root } from "../examples/child-process.js";
import { RFC7636_CHALLENGE, RFC7636_VERIFIER } from "../support/fixtures.js";

const ISSUER = "https://auth.example.com";
const RESOURCE = "https://api.example.com/mcp";
const REDIRECT_URI = "https://app.example.com/callback";

/**
 * A view of `storage` with only `methods`: the type is exactly the Pick a component declares, and
 * at run time any other property read throws (so a component calling more than it declares fails).
 */
function only<K extends keyof Storage>(storage: Storage, methods: readonly K[], touched: string[]): Pick<Storage, K> {
  const picked: Record<string, unknown> = {};
  for (const method of methods) picked[method] = (storage[method] as (...args: unknown[]) => unknown).bind(storage);
  return new Proxy(picked, {
    get(target, property) {
      if (typeof property === "string" && !(property in target)) {
        touched.push(property);
        throw new Error(`storage.${property} is not among the methods this component declares (${methods.join(", ")})`);
      }
      return target[property as string];
    },
  }) as Pick<Storage, K>;
}

describe.skipIf(!distBuilt("components from the built package"))("the five components from dist/, without createAuthorizationServer", () => {
  let kit: typeof OAuthKit;
  beforeAll(async () => {
    kit = (await import(pathToFileURL(join(root, "dist", "index.js")).href)) as typeof OAuthKit;
  });

  it("issue -> exchange -> replay revokes -> refresh -> reuse revokes the family -> metadata (RFC 6749 §4.1, §6; RFC 9700 §4.14.2; RFC 8414)", async () => {
    const touched: string[] = [];
    expect(kit.createAuthorizationServer).toBeTypeOf("function"); // exported, but never called here

    // Metadata builder: a policy from configuration alone, no storage anywhere (RFC 8414 §2).
    const policy = kit.resolvePolicy({ issuer: ISSUER, scopesSupported: ["read", "offline_access"], resources: [RESOURCE] });
    const metadata = kit.buildAuthorizationServerMetadata(policy);
    expect(metadata).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/token`,
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["read", "offline_access"],
      grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
    });

    const memory = kit.createMemoryStorage();
    const secret = kit.generateToken();
    const client: ClientRecord = {
      client_id: "app",
      client_secret_hash: kit.hashToken(secret),
      token_endpoint_auth_method: "client_secret_post",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    };
    await memory.createClient(client);

    // PKCE verifier, authorization side (RFC 7636 §4.3), then the code is issued (RFC 6749 §4.1.2).
    const pkce = kit.checkCodeChallenge({ code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" }, { policy, publicClient: false });
    expect(pkce).toEqual({ challenge: RFC7636_CHALLENGE, method: "S256" });
    const issueStorage = only(memory, ["saveAuthorizationCode"], touched);
    const issue = () =>
      kit.createAuthorizationCode(
        { clientId: "app", subject: "alice", scope: ["read"], resource: [RESOURCE], codeChallenge: pkce!.challenge, codeChallengeMethod: pkce!.method },
        { storage: issueStorage, policy },
      );
    const first = await issue();

    // Client authenticator (RFC 6749 §2.3.1).
    const lookup = only(memory, ["getClient"], touched);
    const params = kit.parseParameters(`client_id=app&client_secret=${secret}`);
    const { client: authenticated, method } = await kit.authenticateClient(new Headers(), params, { getClient: lookup.getClient, methods: policy.clientAuthenticationMethods });
    expect(method).toBe("client_secret_post");

    // Token exchanger (RFC 6749 §4.1.3), with the PKCE verifier at the token side (RFC 7636 §4.6).
    const exchangeStorage = only(memory, ["redeemAuthorizationCode", "createGrant", "revokeGrant"], touched);
    const tokens = await kit.exchangeAuthorizationCode({ client: authenticated, code: first.code, codeVerifier: RFC7636_VERIFIER }, { storage: exchangeStorage, policy });
    expect(tokens).toMatchObject({ tokenType: "Bearer", expiresIn: 3600, scope: ["read"], subject: "alice", audience: [RESOURCE], grantId: first.grantId });
    expect(tokens.refreshToken).toBeTypeOf("string");
    const response = kit.tokenResponse(tokens);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ access_token: tokens.accessToken, token_type: "Bearer", refresh_token: tokens.refreshToken });

    // Replay: refused, and the grant of the first use is revoked (RFC 6749 §4.1.2).
    await expect(kit.exchangeAuthorizationCode({ client: authenticated, code: first.code, codeVerifier: RFC7636_VERIFIER }, { storage: exchangeStorage, policy })).rejects.toMatchObject({
      error: "invalid_grant",
    });
    expect(await memory.getAccessToken(kit.hashTaggedToken(tokens.accessToken))).toBeNull();
    expect(await memory.getGrantByRefreshFamily(kit.refreshFamilyHash(tokens.refreshToken!))).toBeNull();

    // A fresh code, then the refresh rotator (RFC 6749 §6, OAuth 2.1 §4.3.1: rotation).
    const second = await issue();
    const live = await kit.exchangeAuthorizationCode({ client: authenticated, code: second.code, codeVerifier: RFC7636_VERIFIER }, { storage: exchangeStorage, policy });
    const refreshStorage = only(memory, ["getGrantByRefreshFamily", "rotateRefreshToken", "saveAccessToken", "revokeGrant"], touched);
    const refreshed = await kit.refreshAccessToken({ client: authenticated, refreshToken: live.refreshToken! }, { storage: refreshStorage, policy });
    expect(refreshed.refreshToken).toBeTypeOf("string");
    expect(refreshed.refreshToken).not.toBe(live.refreshToken);
    expect(await memory.getAccessToken(kit.hashTaggedToken(refreshed.accessToken))).not.toBeNull();

    // Reuse of the rotated-out token revokes the whole family (RFC 9700 §4.14.2).
    await expect(kit.refreshAccessToken({ client: authenticated, refreshToken: live.refreshToken! }, { storage: refreshStorage, policy })).rejects.toMatchObject({
      error: "invalid_grant",
    });
    expect(await memory.getAccessToken(kit.hashTaggedToken(refreshed.accessToken))).toBeNull();
    await expect(kit.refreshAccessToken({ client: authenticated, refreshToken: refreshed.refreshToken! }, { storage: refreshStorage, policy })).rejects.toMatchObject({
      error: "invalid_grant",
    });

    // PKCE verifier on its own: a wrong verifier is invalid_grant (RFC 7636 §4.6).
    expect(() => kit.verifyPkce({ codeChallenge: RFC7636_CHALLENGE, codeChallengeMethod: "S256" }, "x".repeat(43))).toThrowError(kit.OAuthError);
    expect(touched).toEqual([]);
  });

  it("the narrow storage view fails the test when a component reaches past what it declares", async () => {
    const touched: string[] = [];
    const memory = kit.createMemoryStorage();
    const policy = kit.resolvePolicy({ issuer: ISSUER });
    const client: ClientRecord = { client_id: "c", token_endpoint_auth_method: "none", redirect_uris: [REDIRECT_URI], grant_types: ["refresh_token"], response_types: ["code"] };
    // Deliberately too narrow: the refresh rotator's first call is getGrantByRefreshFamily.
    const tooNarrow = only(memory, ["rotateRefreshToken"], touched) as unknown as OAuthKit.RefreshStorage;
    await expect(kit.refreshAccessToken({ client, refreshToken: "t" }, { storage: tooNarrow, policy })).rejects.toThrow(/getGrantByRefreshFamily/);
    expect(touched).toEqual(["getGrantByRefreshFamily"]);
  });
});
