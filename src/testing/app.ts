/**
 * `oauthkit/testing/app`: helpers for testing an app's protected routes — a ready authorization
 * server over memory storage and a way to mint a real access token for a subject, scope and
 * resource. Free of any test runner: usable with vitest, jest, `node:test` or a plain script.
 *
 * @module
 */
import { systemNow } from "../clock.js";
import type { AuthorizationServerConfig } from "../config.js";
import { generateToken } from "../crypto.js";
import { generateAccessToken, generateGrantId, hashTaggedToken } from "../token-format.js";
import { type AuthorizationServer, createAuthorizationServer } from "../server.js";
import { createMemoryStorage } from "../storage/memory.js";
import { sealGrantProps } from "../props.js";
import type { AccessTokenRecord, GrantProps, GrantRecord, Storage, SubjectType } from "../storage/types.js";

export { STORAGE_METHODS, countStorageCalls } from "./count-calls.js";
export type { CountedStorage, StorageMethod } from "./count-calls.js";

/** The issuer of {@link createTestAuthorizationServer} when none is given. */
export const TEST_ISSUER = "http://localhost";

/** Options of {@link createTestAuthorizationServer}: any server option, all of them optional. */
export type TestAuthorizationServerOptions = Partial<AuthorizationServerConfig>;

/** What {@link TestAuthorizationServer.mintAccessToken} issues a token for. */
export interface MintAccessTokenOptions {
  /** Whom the token acts for (`BearerTokenInfo.subject`). */
  subject: string;
  /** Granted scopes, as a space-separated string or a list (default none). */
  scope?: string | readonly string[];
  /**
   * The audience (RFC 8707): one resource or several (default: the first configured resource).
   * Pass `[]` for a token without audience, which `validateBearerToken` refuses.
   */
  resource?: string | readonly string[];
  /** The client the token was issued to (default `"test-client"`; it need not be registered). */
  clientId?: string;
  /** Seconds until it expires (default: the server's `accessTokenLifetime`); `0` mints an expired token. */
  expiresIn?: number;
  /** `"client"` mints a client_credentials-style token, refused by routes with `requireUser` (default `"user"`). */
  subjectType?: SubjectType;
  /** Host data carried by the grant and handed back by bearer validation. */
  props?: GrantProps;
}

/** The result of {@link createTestAuthorizationServer}. */
export interface TestAuthorizationServer {
  /** The server: pass it to the app under test (its `validateBearerToken` guards the routes). */
  server: AuthorizationServer;
  /** Its store (memory storage unless one was given). */
  storage: Storage;
  /** Its issuer identifier. */
  issuer: string;
  /**
   * Mints an access token by writing a grant and its token through the storage contract, as the
   * token endpoint does: validation of it is the real one (hash lookup, expiry, audience, scope).
   *
   * @throws {TypeError} when the store refuses the grant (a grant id it holds as revoked).
   */
  mintAccessToken(options: MintAccessTokenOptions): Promise<string>;
}

/**
 * Creates an authorization server for tests: issuer {@link TEST_ISSUER}, memory storage on the
 * server's clock, and one resource, `<issuer>/mcp`, unless the options say otherwise.
 *
 * @param options - Any option of `createAuthorizationServer`, overriding the defaults above.
 * @throws {TypeError} on a configuration mistake, as `createAuthorizationServer` does.
 * @example
 * ```ts
 * import { createTestAuthorizationServer } from "oauthkit/testing/app";
 *
 * const { server, mintAccessToken } = createTestAuthorizationServer();
 * const token = await mintAccessToken({ subject: "alice", scope: "mcp" });
 * const info = await server.validateBearerToken(
 *   new Request("http://localhost/mcp", { headers: { Authorization: `Bearer ${token}` } }),
 * ); // { subject: "alice", scope: ["mcp"], … }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function createTestAuthorizationServer(options: TestAuthorizationServerOptions = {}): TestAuthorizationServer {
  const issuer = options.issuer ?? TEST_ISSUER;
  const now = options.now ?? systemNow;
  const storage = options.storage ?? createMemoryStorage({ now });
  const server = createAuthorizationServer({
    ...options,
    issuer,
    storage,
    now,
    resources: options.resources ?? [`${issuer}/mcp`],
    // Props are sealed at rest; a test server has a key of its own unless the options give keys.
    props: options.props ?? { keys: [{ id: "test", key: generateToken() }] },
  });

  const mintAccessToken = async (mint: MintAccessTokenOptions): Promise<string> => {
    const scope = typeof mint.scope === "string" ? mint.scope.split(" ").filter((s) => s !== "") : [...(mint.scope ?? [])];
    // The server always has resources here (the default above, or the caller's non-empty list).
    const resource = mint.resource === undefined ? [server.config.resources![0]!] : typeof mint.resource === "string" ? [mint.resource] : [...mint.resource];
    const issuedAt = server.config.now();
    const expiresAt = issuedAt + (mint.expiresIn ?? server.config.accessTokenLifetime);
    const clientId = mint.clientId ?? "test-client";
    const subjectType = mint.subjectType ?? "user";
    const grantId = generateGrantId();
    const token = generateAccessToken(grantId);
    const grant: GrantRecord = { grantId, clientId, subject: mint.subject, subjectType, scope, resource, issuedAt, expiresAt };
    const record: AccessTokenRecord = {
      tokenHash: hashTaggedToken(token),
      grantId: grant.grantId,
      clientId,
      subject: mint.subject,
      subjectType,
      scope,
      audience: resource,
      issuedAt,
      expiresAt,
    };
    const sealedProps = await sealGrantProps(server.config.propsSealer, grant.grantId, mint.props);
    if (sealedProps !== undefined) grant.sealedProps = sealedProps;
    if (!(await storage.createGrant(grant, record))) throw new TypeError("mintAccessToken: the store refused the grant.");
    return token;
  };

  return { server, storage: server.config.storage, issuer, mintAccessToken };
}
