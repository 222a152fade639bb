/**
 * Test fixtures: a server over the memory store with a controllable clock, registered clients,
 * PKCE pairs, and a helper that runs the authorization step through the public API.
 */
import {
  type AuthorizationServer,
  type AuthorizationServerConfig,
  type ClientAuthenticationMethod,
  type ClientRecord,
  type MemoryStorage,
  type Storage,
  createAuthorizationServer,
  createMemoryStorage,
  generateToken,
  hashToken,
} from "../../src/index.js";

export const ISSUER = "https://as.example.com";
export const RESOURCE = "https://api.example.com/mcp";
export const REDIRECT_URI = "https://client.example.com/callback";

/** A clock the test moves by hand (seconds). */
export interface TestClock {
  now: () => number;
  advance(seconds: number): void;
}

export function testClock(start = 1_800_000_000): TestClock {
  let current = start;
  return { now: () => current, advance: (seconds) => void (current += seconds) };
}

/** The props keys of the test servers: props are sealed at rest, so attaching any needs them. */
export const TEST_PROPS_KEYS = { keys: [{ id: "test", key: "Oq1Lf0I8xS2mN3kP7vR9tU4wY6zA5bC1dE3fG8hJ0kQ" }] };

export interface TestServer {
  server: AuthorizationServer;
  storage: MemoryStorage;
  clock: TestClock;
}

export function createTestServer(overrides: Partial<AuthorizationServerConfig> = {}): TestServer {
  const clock = testClock();
  const storage = createMemoryStorage({ now: clock.now });
  const server = createAuthorizationServer({
    issuer: ISSUER,
    storage,
    scopesSupported: ["read", "write", "offline_access"],
    resources: [RESOURCE, "https://other.example.com/api"],
    now: clock.now,
    props: TEST_PROPS_KEYS,
    ...overrides,
  });
  return { server, storage, clock };
}

export interface TestClient {
  clientId: string;
  secret?: string;
  record: ClientRecord;
}

export async function registerClient(
  storage: MemoryStorage | { createClient(client: ClientRecord): Promise<boolean> },
  options: {
    method?: ClientAuthenticationMethod;
    secret?: string;
    clientId?: string;
    grantTypes?: string[];
    redirectUris?: string[];
    scope?: string;
    secretExpiresAt?: number;
  } = {},
): Promise<TestClient> {
  const method = options.method ?? "client_secret_basic";
  const clientId = options.clientId ?? `client-${generateToken().slice(0, 8)}`;
  const secret = method === "none" ? undefined : (options.secret ?? generateToken());
  const record: ClientRecord = {
    client_id: clientId,
    token_endpoint_auth_method: method,
    redirect_uris: options.redirectUris ?? [REDIRECT_URI],
    grant_types: options.grantTypes ?? ["authorization_code", "refresh_token"],
    response_types: ["code"],
  };
  if (secret !== undefined) record.client_secret_hash = hashToken(secret);
  if (options.scope !== undefined) record.scope = options.scope;
  if (options.secretExpiresAt !== undefined) record.client_secret_expires_at = options.secretExpiresAt;
  await storage.createClient(record);
  return { clientId, ...(secret === undefined ? {} : { secret }), record };
}

/** A PKCE pair: the RFC 7636 Appendix B verifier and challenge by default. */
export const RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
export const RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

export function authorizeUrl(params: Record<string, string | string[] | undefined>): string {
  const url = new URL(`${ISSUER}/authorize`);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, one);
  }
  return url.href;
}

/** Runs the authorization step (request → approval → redirect) and returns the code. */
export async function obtainCode(
  server: AuthorizationServer,
  client: TestClient,
  options: { scope?: string; resource?: string[]; subject?: string; props?: Record<string, unknown>; challenge?: string; revokeExistingGrants?: boolean } = {},
): Promise<string> {
  const parsed = await server.parseAuthorizationRequest(
    new Request(
      authorizeUrl({
        response_type: "code",
        client_id: client.clientId,
        redirect_uri: client.record.redirect_uris[0],
        scope: options.scope ?? "read write",
        state: "xyz",
        code_challenge: options.challenge ?? RFC7636_CHALLENGE,
        code_challenge_method: "S256",
        resource: options.resource,
      }),
    ),
  );
  if (parsed instanceof Response) throw new Error(`authorization request refused: ${parsed.status} ${parsed.headers.get("location")}`);
  const response = await server.issueAuthorizationCode(parsed, {
    subject: options.subject ?? "user-1",
    ...(options.props === undefined ? {} : { props: options.props }),
    ...(options.revokeExistingGrants === undefined ? {} : { revokeExistingGrants: options.revokeExistingGrants }),
  });
  const code = new URL(response.headers.get("location")!).searchParams.get("code");
  if (code === null) throw new Error("no code in redirect");
  return code;
}

export function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${btoa(`${encode(id)}:${encode(secret)}`)}`;
}

/** A token-endpoint style POST with a form body. */
export function formRequest(url: string, body: Record<string, string | string[] | undefined>, headers: Record<string, string> = {}): Request {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
  }
  return new Request(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: form.toString(),
  });
}

/** Sends a token request authenticated as `client` with its registered method. */
export function tokenRequest(client: TestClient, body: Record<string, string | string[] | undefined>): Request {
  const method = client.record.token_endpoint_auth_method;
  if (method === "client_secret_basic") {
    return formRequest(`${ISSUER}/token`, body, { Authorization: basicAuth(client.clientId, client.secret!) });
  }
  if (method === "client_secret_post") {
    return formRequest(`${ISSUER}/token`, { ...body, client_id: client.clientId, client_secret: client.secret });
  }
  return formRequest(`${ISSUER}/token`, { ...body, client_id: client.clientId });
}

export async function exchangeCode(server: AuthorizationServer, client: TestClient, code: string, extra: Record<string, string> = {}): Promise<Response> {
  return server.handleTokenRequest(
    tokenRequest(client, {
      grant_type: "authorization_code",
      code,
      redirect_uri: client.record.redirect_uris[0],
      code_verifier: RFC7636_VERIFIER,
      ...extra,
    }),
  );
}

/**
 * Seeds a store for a client-expiry sweep (`registration.unusedClientLifetime`): client "expired"
 * (past its `expires_at`), "extended" (a later one) and "pre-registered" (none); the first two each
 * with a grant ("of-expired", "of-extended") and an access token ("expired-at", "extended-at").
 */
export async function seedExpiringClients(storage: Storage, t: number): Promise<void> {
  const client = (client_id: string, expires_at?: number): ClientRecord => ({
    client_id,
    token_endpoint_auth_method: "none",
    redirect_uris: [],
    grant_types: [],
    response_types: [],
    ...(expires_at === undefined ? {} : { expires_at }),
  });
  await storage.createClient(client("expired", t - 1));
  await storage.createClient(client("extended", t + 600));
  await storage.createClient(client("pre-registered"));
  for (const [grantId, clientId, tokenHash] of [["of-expired", "expired", "expired-at"], ["of-extended", "extended", "extended-at"]] as const) {
    await storage.createGrant(
      { grantId, clientId, subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 },
      { tokenHash, grantId, clientId, subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 },
    );
  }
}
