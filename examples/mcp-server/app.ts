/**
 * The reference server as one fetch handler: oauthkit's endpoints, the demo authorization
 * endpoint, and the MCP endpoint, all on one origin.
 */
import {
  type ClientIdMetadataDocumentConfig,
  OAuthError,
  type SealingKey,
  type Storage,
  type TokenHasher,
  type UpstreamConfig,
  createAuthorizationServer,
  createFederation,
  errorResponse,
} from "oauthkit";
import { type DemoUser, createAuthorizeHandler } from "./authorize.js";
import { createConnectedAppsHandler } from "./connected-apps.js";
import { FEDERATED_CONSENT_PATH, createFederatedConsent } from "./federated-consent.js";
import { createSessionStore } from "./session.js";
import { createSignInThrottle } from "./throttle.js";
import { createMcpHandler } from "./mcp.js";
import type { SignInThrottleOptions } from "./throttle.js";

/** Options of {@link createApp}. */
export interface AppOptions {
  issuer: string;
  storage: Storage;
  demo: DemoUser;
  /** Client ID metadata documents (on by default); server.ts adds an SSRF guard. */
  clientIdMetadataDocuments?: ClientIdMetadataDocumentConfig;
  /** Registrations accepted before DCR answers 503 (default 10,000): open DCR must not fill memory. */
  maxClients?: number;
  /**
   * Client IDs the operator registered and vouches for (none by default): the consent page marks
   * every other client, registered through DCR or identified by a metadata document, as unverified.
   */
  verifiedClients?: readonly string[];
  /** Failed sign-ins before a username or client address is locked out, and for how long. */
  signInThrottle?: SignInThrottleOptions;
  /**
   * Proxies in front of the server whose `X-Forwarded-For` entry is trusted as the client address
   * (default 0: the connection's own address; any X-Forwarded-For is ignored).
   */
  trustProxy?: number;
  /**
   * Federated mode: users sign in at this upstream provider instead of the demo password form
   * (docs/federation.md); `whoami` returns the upstream subject and `upstream_whoami` calls the
   * upstream's userinfo with the stored upstream token. Needs `propsKeys`.
   */
  upstream?: UpstreamConfig;
  /** Keys sealing grant props (the upstream tokens) at rest, newest first; required with `upstream`. */
  propsKeys?: readonly SealingKey[];
  /** Clock in seconds since the epoch (default: the system clock). For tests. */
  now?: () => number;
  /** How credentials are hashed (default: the portable one); the Node examples pass `nodeHashToken`. */
  hash?: TokenHasher;
}

/** What the server knows about the connection a request came on (the node:http adapter passes it). */
export interface ConnectionInfo {
  remoteAddress?: string | undefined;
}

/**
 * Creates the reference server: `handle(request, { remoteAddress })` answers every path. Pass the
 * connection's address where the platform gives it (the node:http, Express and Fastify examples
 * do); without it, sign-in is throttled per username only.
 *
 * @throws {TypeError} when `trustProxy` or `signInThrottle` is not a whole number, naming it.
 */
export function createApp(options: AppOptions) {
  const trustProxy = options.trustProxy ?? 0;
  if (!Number.isInteger(trustProxy) || trustProxy < 0) throw new TypeError("trustProxy must be a whole number of proxies (0 or more)");
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const resource = `${options.issuer}/mcp`;
  const oauth = createAuthorizationServer({
    issuer: options.issuer,
    storage: options.storage,
    scopesSupported: ["mcp"],
    defaultScopes: ["mcp"],
    resources: [resource],
    endpoints: { registration: "/register" }, // open dynamic client registration…
    // …bounded, and open to Cursor, which registers cursor://anysphere.cursor-mcp/oauth/callback.
    // Clients that register and are never used again expire after 30 days (each use extends that).
    registration: { maxClients: options.maxClients ?? 10_000, privateUseSchemes: ["cursor"], unusedClientLifetime: 30 * 86_400 },
    clientIdMetadataDocuments: options.clientIdMetadataDocuments ?? {}, // client_id as an https URL
    ...(options.propsKeys === undefined ? {} : { props: { keys: options.propsKeys } }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.hash === undefined ? {} : { hash: options.hash }),
  });
  // Federated mode: sign-in happens upstream (no local password form), consent here, per app.
  const federation = options.upstream === undefined ? undefined : createFederation(oauth, { upstream: options.upstream });
  // One sign-in for the authorization endpoint and the Connected apps page.
  const sessions = createSessionStore({ secure: options.issuer.startsWith("https:"), now });
  const verifiedClients = new Set(options.verifiedClients ?? []);
  const federatedConsent = federation === undefined ? undefined : createFederatedConsent(oauth, federation, { issuer: options.issuer, sessions, verifiedClients });
  const throttle = createSignInThrottle({ ...options.signInThrottle, now });
  const authorize = createAuthorizeHandler(oauth, {
    issuer: options.issuer,
    demo: options.demo,
    now,
    verifiedClients,
    sessions,
    throttle,
  });
  const connectedApps = createConnectedAppsHandler(oauth, { issuer: options.issuer, demo: options.demo, sessions, throttle });
  const mcp = createMcpHandler(oauth, federation === undefined ? undefined : { federation, upstream: options.upstream! });

  /**
   * The client's address: the connection's, or with `trustProxy` n, the n-th X-Forwarded-For entry
   * from the right (each trusted proxy appends the address it saw; entries left of those are
   * whatever the client wrote).
   */
  function clientAddress(request: Request, connection: ConnectionInfo | undefined): string | undefined {
    // Bun and Deno pass their own second argument: only a string address is one.
    const remote = typeof connection?.remoteAddress === "string" ? connection.remoteAddress : undefined;
    if (trustProxy === 0) return remote;
    const forwarded = (request.headers.get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
    return forwarded.at(-trustProxy) ?? remote;
  }

  async function route(request: Request, connection: ConnectionInfo | undefined): Promise<Response> {
    const handled = await oauth.handleRequest(request); // metadata, token, revoke, introspect, register
    if (handled !== null) return handled;
    const { pathname } = new URL(request.url);
    if (federation !== undefined && federatedConsent !== undefined) {
      if (pathname === "/authorize") return federation.startUpstreamAuthorization(request);
      if (pathname === "/upstream/callback") {
        const signIn = await federation.handleUpstreamCallback(request);
        return signIn instanceof Response ? signIn : federatedConsent.ask(request, signIn);
      }
      if (pathname === FEDERATED_CONSENT_PATH) return federatedConsent.decide(request);
    }
    if (pathname === "/authorize") return authorize(request, clientAddress(request, connection));
    if (pathname === "/mcp") return mcp(request);
    if (pathname === "/connected-apps") return connectedApps(request, clientAddress(request, connection));
    if (pathname === "/") return new Response(`oauthkit reference MCP server. MCP endpoint: ${resource}\n`);
    return new Response("Not found", { status: 404 });
  }

  async function handle(request: Request, connection?: ConnectionInfo): Promise<Response> {
    try {
      return await route(request, connection);
    } catch (error) {
      // oauthkit's handlers answer a failing store themselves; what is left (issueAuthorizationCode
      // when the store is down) gets the same answer: 500 server_error, the detail only in the log.
      console.error(error);
      return errorResponse(new OAuthError("server_error", "The server encountered an unexpected error."));
    }
  }
  return { handle, oauth, resource };
}
