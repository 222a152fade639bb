/** Shared setup of the grant unit tests: a policy, a memory store on a test clock, a client, a code. */
import {
  type ClientRecord,
  type MemoryStorage,
  type PolicyConfig,
  type ServerPolicy,
  createAuthorizationCode,
  createMemoryStorage,
  resolvePolicy,
} from "../../src/index.js";
import { RFC7636_CHALLENGE, type TestClock, testClock } from "../support/fixtures.js";

export const ISSUER = "https://as.example.com";
export const RESOURCE = "https://api.example.com/mcp";
export const OTHER_RESOURCE = "https://other.example.com/api";
export const REDIRECT_URI = "https://client.example.com/callback";

export interface GrantSetup {
  policy: ServerPolicy;
  storage: MemoryStorage;
  clock: TestClock;
  client: ClientRecord;
  deps: { storage: MemoryStorage; policy: ServerPolicy; now: () => number };
  /** Issues a code for `client` (S256 challenge of RFC 7636 Appendix B unless overridden). */
  code(overrides?: Partial<Parameters<typeof createAuthorizationCode>[0]>): Promise<string>;
}

export function grantSetup(config: Partial<PolicyConfig> = {}, client: Partial<ClientRecord> = {}): GrantSetup {
  const clock = testClock();
  const storage = createMemoryStorage({ now: clock.now });
  const policy = resolvePolicy({ issuer: ISSUER, scopesSupported: ["read", "write", "offline_access"], resources: [RESOURCE, OTHER_RESOURCE], ...config });
  const record: ClientRecord = {
    client_id: "app",
    token_endpoint_auth_method: "none",
    redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    ...client,
  };
  const deps = { storage, policy, now: clock.now };
  return {
    policy,
    storage,
    clock,
    client: record,
    deps,
    async code(overrides = {}) {
      const { code } = await createAuthorizationCode(
        {
          clientId: record.client_id,
          subject: "alice",
          scope: ["read", "write"],
          resource: [RESOURCE, OTHER_RESOURCE],
          codeChallenge: RFC7636_CHALLENGE,
          codeChallengeMethod: "S256",
          ...overrides,
        },
        deps,
      );
      return code;
    },
  };
}

/** The OAuthError a promise rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ error: string; description: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { error: string; description: string; status: number };
  }
  throw new Error("expected a rejection");
}
