/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), as the MCP
 * authorization specification uses them: a `client_id` that is an `https` URL names a JSON
 * document, served by the client's owner, that holds the client's metadata.
 *
 * @module
 */
import type { EmitEvent } from "../events.js";
import { OAuthError } from "../errors.js";
import { readStreamCapped } from "../http/body.js";
import { parseUrl } from "../http/url.js";
import { isSpecialUseHost } from "./special-use-host.js";
import { type ClientMetadataRules, DEFAULT_REGISTRATION_GRANT_TYPES, validateClientMetadata } from "../rules/client-metadata.js";
import type { ClientRecord } from "../storage/types.js";

/** Configuration of client ID metadata document support. */
export interface ClientIdMetadataDocumentConfig {
  /** The `fetch` used to get documents (default: the global one). Inject one to add a proxy or tests. */
  fetch?: (input: Request) => Promise<Response>;
  /**
   * Vetoes a fetch before it happens (SSRF guard): return `false` for targets the server must not
   * reach. oauthkit itself refuses hosts written as loopback, private, link-local or other
   * special-use IP literals (IPv4 embedded in IPv6 included) and names only local resolvers answer
   * (`localhost`, `.local`, `.internal`…); names that resolve to such addresses need this hook,
   * which can judge each resolved address with `isPublicAddress` (the Node example does).
   */
  allowFetch?: (url: URL) => boolean | Promise<boolean>;
  /** Largest document accepted, in bytes (default 5 KiB). */
  maxBytes?: number;
  /** Time allowed for the fetch, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Bounds on caching, in seconds: `Cache-Control: max-age` is clamped to [min, max] (defaults 60 and 86400); failures are cached for `failure` (default 10). */
  cache?: {
    /** Shortest time a document is cached, whatever its `max-age` (default 60). */
    min?: number;
    /** Longest time a document is cached (default 86400). */
    max?: number;
    /** How long a failure is cached (default 10). */
    failure?: number;
  };
}

/**
 * What the resolver needs of the server's configuration: the rules a document's metadata is
 * validated by, and the clock its cache runs on. The resolved configuration is one.
 */
export interface ClientIdMetadataDocumentRules extends ClientMetadataRules {
  /** The server's clock, in seconds since the epoch. */
  now: () => number;
}

interface CacheEntry {
  expiresAt: number;
  client?: ClientRecord;
  error?: OAuthError;
}

const MAX_CACHE_ENTRIES = 1000;

/**
 * Whether a `client_id` is a metadata document URL: `https`, with a path, no fragment, no
 * credentials, and no dot segments (draft-ietf-oauth-client-id-metadata-document §3).
 *
 * @example
 * ```ts
 * isClientIdMetadataDocumentUrl("https://app.example.com/oauth/client.json"); // true
 * isClientIdMetadataDocumentUrl("http://app.example.com/oauth/client.json");  // false
 * ```
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 */
export function isClientIdMetadataDocumentUrl(clientId: string): boolean {
  return documentUrlProblem(clientId) === undefined;
}

/**
 * Whether a `client_id` looks like a URL (`http://` or `https://`). With metadata documents on,
 * such ids are resolved as documents — and refused with a reason when they are not valid document
 * URLs (`http`, credentials, a fragment) — instead of being looked up in the store.
 *
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 */
export function isUrlShapedClientId(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId);
}

/** Why `clientId` cannot name a metadata document, or `undefined` when it can. */
function documentUrlProblem(clientId: string): string | undefined {
  if (!clientId.startsWith("https://")) return "the client_id must be an https URL";
  const url = parseUrl(clientId);
  if (url === null) return "the client_id is not a valid URL";
  // SSRF and phishing guard: no user:password@ in front of the host (the draft, §3).
  if (url.username !== "" || url.password !== "" || url.host === "" || clientId.slice(8).split("/")[0]!.includes("@")) {
    return "the client_id must not contain credentials";
  }
  if (url.hash !== "" || clientId.includes("#")) return "the client_id must not contain a fragment";
  if (url.pathname === "/") return "the client_id must have a path";
  // The draft (§3) forbids dot segments. The URL parser removes them in every spelling (`/..`,
  // `\..`, `%2e%2e`), so a path that is not already in the parser's normal form is refused rather
  // than judged by a pattern: the document is fetched from exactly the path the client sent. (The
  // host may be spelled in any form; the SSRF guard judges the address it parses to.)
  const rawPath = clientId.slice(8).replace(/^[^/\\?]*/, "");
  if (rawPath !== url.pathname + url.search) {
    return /[/\\](\.|%2e){1,2}([/\\?]|$)/i.test(rawPath)
      ? "the client_id must not contain dot segments"
      : "the client_id path must be in normal form (no backslashes, characters percent-encoded)";
  }
  return undefined;
}

/**
 * Creates the resolver that turns a metadata document URL into a client: fetched without
 * following redirects, within a size and time limit, JSON only, validated like a registration
 * (its `client_id` must be the URL itself), and cached as `Cache-Control` says within bounds.
 * Failures throw `invalid_client` with a description of what was wrong, and are cached briefly.
 *
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 */
export function createClientIdMetadataDocumentResolver(
  config: ClientIdMetadataDocumentRules,
  options: ClientIdMetadataDocumentConfig,
  events: { emit?: EmitEvent | undefined } = {},
): (clientId: string) => Promise<ClientRecord> {
  const fetchDocument = options.fetch ?? ((request: Request) => fetch(request));
  const maxBytes = options.maxBytes ?? 5 * 1024;
  const timeoutMs = options.timeoutMs ?? 5000;
  const minSeconds = options.cache?.min ?? 60;
  const maxSeconds = options.cache?.max ?? 86_400;
  const failureSeconds = options.cache?.failure ?? 10;
  for (const [name, value] of [["maxBytes", maxBytes], ["timeoutMs", timeoutMs], ["cache.min", minSeconds], ["cache.max", maxSeconds], ["cache.failure", failureSeconds]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`clientIdMetadataDocuments.${name} must be a non-negative number.`);
  }
  if (minSeconds > maxSeconds) throw new TypeError("clientIdMetadataDocuments.cache.min must not exceed cache.max.");
  const documentGrantTypes = DEFAULT_REGISTRATION_GRANT_TYPES.filter((grant) => config.grantTypes.includes(grant));
  const cache = new Map<string, CacheEntry>();
  // Concurrent lookups of one document share one fetch.
  const inFlight = new Map<string, Promise<ClientRecord>>();

  const remember = (clientId: string, entry: CacheEntry) => {
    cache.delete(clientId);
    if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(clientId, entry);
  };

  return async function resolve(clientId) {
    const now = config.now();
    const cached = cache.get(clientId);
    if (cached !== undefined && cached.expiresAt > now) {
      if (cached.error !== undefined) throw cached.error;
      return cached.client!;
    }
    let pending = inFlight.get(clientId);
    if (pending === undefined) {
      pending = loadAndRemember(clientId, now).finally(() => inFlight.delete(clientId));
      inFlight.set(clientId, pending);
    }
    return pending;
  };

  async function loadAndRemember(clientId: string, now: number): Promise<ClientRecord> {
    try {
      const { client, maxAge } = await load(clientId);
      remember(clientId, { client, expiresAt: now + Math.min(maxSeconds, Math.max(minSeconds, maxAge ?? minSeconds)) });
      events.emit?.({ type: "client_metadata_document.fetched", clientId });
      return client;
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      remember(clientId, { error, expiresAt: now + failureSeconds });
      events.emit?.({ type: "client_metadata_document.refused", clientId, reason: error.description });
      throw error;
    }
  }

  async function load(clientId: string): Promise<{ client: ClientRecord; maxAge: number | undefined }> {
    const problem = documentUrlProblem(clientId);
    if (problem !== undefined) throw fail(problem);
    const url = new URL(clientId);
    // Special-use literals and local names are refused before the host's own guard is asked.
    if (isSpecialUseHost(url)) throw fail("its host is a loopback, private or special-use address");
    if (options.allowFetch !== undefined && !(await options.allowFetch(url))) throw fail("fetching it is not allowed");

    // One deadline for the fetch and the body, enforced here too, so that an injected fetch that
    // ignores the signal (or a server that trickles its body) cannot hold the request.
    const signal = AbortSignal.timeout(timeoutMs);
    const deadline = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => reject(fail("fetching it timed out")), { once: true });
    });
    deadline.catch(() => undefined); // settled by the race below, or after it: never unhandled
    return Promise.race([fetchAndRead(clientId, url, signal), deadline]);
  }

  async function fetchAndRead(clientId: string, url: URL, signal: AbortSignal): Promise<{ client: ClientRecord; maxAge: number | undefined }> {
    let response: Response;
    try {
      response = await fetchDocument(new Request(url, { headers: { Accept: "application/json" }, redirect: "manual", signal }));
    } catch (error) {
      const timedOut = signal.aborted || (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"));
      throw fail(timedOut ? "fetching it timed out" : "it could not be fetched", error);
    }
    // Redirects are not followed: the document must be at the client_id itself (a 3xx, or the
    // opaque redirect of browser-like runtimes, status 0, is a failure).
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw fail(`fetching it answered ${response.status}`);
    }
    // The draft allows application/json or a more specific application/<something>+json.
    const [mediaType = ""] = (response.headers.get("content-type") ?? "").split(";");
    if (!/^application\/(?:[a-z0-9.!#$&^_-]+\+)?json$/.test(mediaType.trim().toLowerCase())) {
      await response.body?.cancel().catch(() => undefined);
      throw fail("it is not application/json");
    }
    const text = await readCapped(response, maxBytes);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw fail("it is not valid JSON", error);
    }
    return { client: toClient(clientId, document), maxAge: maxAgeOf(response.headers.get("cache-control")) };
  }

  function toClient(clientId: string, document: unknown): ClientRecord {
    if (typeof document !== "object" || document === null || Array.isArray(document)) throw fail("it is not a JSON object");
    const fields = document as Record<string, unknown>;
    if (fields["client_id"] !== clientId) throw fail("its client_id is not the URL it was fetched from");
    const method = fields["token_endpoint_auth_method"] ?? "none";
    // MCP 2026-07-28 (client registration) lets a document declare private_key_jwt; until oauthkit
    // verifies client assertions, the refusal names the one method it accepts, so the client's
    // owner knows what to publish instead.
    if (method === "private_key_jwt") {
      throw fail(
        'it declares token_endpoint_auth_method "private_key_jwt", which oauthkit does not support yet: a metadata document client must use "none" (a public client with PKCE)',
      );
    }
    if (method !== "none") throw fail(`it declares token_endpoint_auth_method ${JSON.stringify(method)}: a metadata document client must use "none" (a public client with PKCE)`);
    // There is no way to share a secret with a document-identified client (the draft, §4.1).
    if ("client_secret" in fields || "client_secret_expires_at" in fields) throw fail("it must not contain client_secret");
    if (!Array.isArray(fields["redirect_uris"]) || fields["redirect_uris"].length === 0) throw fail("it has no redirect_uris");
    try {
      // Public clients, identified by a URL anyone can serve: never client_credentials, whatever
      // registration.allowedGrantTypes opens to registered clients.
      const metadata = validateClientMetadata({ ...fields, token_endpoint_auth_method: "none" }, config, { allowedGrantTypes: documentGrantTypes });
      return { ...metadata, client_id: clientId };
    } catch (error) {
      if (error instanceof OAuthError) throw fail(`its metadata is invalid (${error.description})`);
      throw error;
    }
  }
}

/**
 * Reads a document body chunk by chunk, stopping as soon as it passes `maxBytes` — whatever
 * `Content-Length` says, since the document's server is not trusted.
 */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => fail(`it is larger than ${maxBytes} bytes`);
  if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return "";
  const bytes = await readStreamCapped(response.body, maxBytes, { tooLarge, unreadable: (cause) => fail("it could not be read", cause) });
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw fail("it is not valid UTF-8", error);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function fail(reason: string, cause?: unknown): OAuthError {
  return new OAuthError("invalid_client", `The client metadata document was refused: ${reason}.`, { status: 400, cause });
}

function maxAgeOf(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined;
  if (/(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|$)/i.test(cacheControl)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return match === null ? undefined : Number(match[1]);
}
