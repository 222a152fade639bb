/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3).
 *
 * @module
 */
import { decodeBase64 } from "@oslojs/encoding";
import { systemNow } from "../clock.js";
import { verifyTokenHash } from "../crypto.js";
import { OAuthError } from "../errors.js";
import { authenticateChallenge } from "../http/challenge.js";
import type { RequestParameters } from "../http/form.js";
import type { ClientAuthenticationMethod, ClientRecord } from "../storage/types.js";

/** Looks a client up by id: a {@link ClientStore}'s `getClient`, or a resolver in front of it. */
export type ClientLookup = (clientId: string) => Promise<ClientRecord | null>;

/** Options of {@link authenticateClient}. */
export interface ClientAuthenticationOptions {
  /** Where clients come from. */
  getClient: ClientLookup;
  /** The methods this endpoint accepts (default: all three). */
  methods?: readonly ClientAuthenticationMethod[];
  /** Clock in seconds since the epoch, for `client_secret_expires_at`. */
  now?: () => number;
  /** The realm of the `WWW-Authenticate` challenge on 401. */
  realm?: string;
}

/** A client that has proved its identity (or, for `none`, merely named itself). */
export interface AuthenticatedClient {
  /** The authenticated client's record. */
  client: ClientRecord;
  /** The method it authenticated with. */
  method: ClientAuthenticationMethod;
}

/** Credentials as presented, before the client is looked up. */
interface PresentedCredentials {
  clientId: string;
  secret?: string;
  method: ClientAuthenticationMethod;
}

const ALL_METHODS: readonly ClientAuthenticationMethod[] = ["client_secret_basic", "client_secret_post", "none"];

/**
 * Authenticates the client of a request: `client_secret_basic` (RFC 6749 §2.3.1, with the id and
 * secret form-urlencoded inside the Basic credentials), `client_secret_post`, or `none` for public
 * clients (a `client_id` parameter alone). The client must use the method it registered.
 *
 * Usable on its own from a host's custom endpoint: pass the parsed form parameters and the request
 * headers.
 *
 * @throws {OAuthError} `invalid_client` (401, with `WWW-Authenticate: Basic`) when authentication
 *   fails; `invalid_request` when credentials are presented by more than one method (RFC 6749 §2.3).
 * @example
 * ```ts
 * const params = await parseFormBody(request);
 * const { client } = await authenticateClient(request.headers, params, { getClient: storage.getClient });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export async function authenticateClient(
  headers: Pick<Headers, "get">,
  params: RequestParameters,
  options: ClientAuthenticationOptions,
): Promise<AuthenticatedClient> {
  const fail = (description = "Client authentication failed."): OAuthError =>
    new OAuthError("invalid_client", description, {
      headers: { "WWW-Authenticate": authenticateChallenge("Basic", [["realm", options.realm ?? "oauth"], ["charset", "UTF-8"]]) },
    });

  const presented = presentedCredentials(headers, params, fail);
  if (!(options.methods ?? ALL_METHODS).includes(presented.method)) {
    throw fail(`The ${presented.method} client authentication method is not supported here.`);
  }
  const client = await options.getClient(presented.clientId);
  // One generic answer for unknown clients, wrong secrets and wrong methods, so the response does
  // not reveal which client ids exist.
  if (client === null || client.token_endpoint_auth_method !== presented.method) throw fail();
  if (presented.method === "none") return { client, method: "none" };

  if (client.client_secret_hash === undefined || !verifyTokenHash(presented.secret ?? "", client.client_secret_hash)) {
    throw fail();
  }
  const expiresAt = client.client_secret_expires_at ?? 0;
  const now = options.now?.() ?? systemNow();
  if (expiresAt !== 0 && expiresAt <= now) throw fail("The client secret has expired.");
  return { client, method: presented.method };
}

function presentedCredentials(
  headers: Pick<Headers, "get">,
  params: RequestParameters,
  fail: (description?: string) => OAuthError,
): PresentedCredentials {
  const basic = parseBasicCredentials(headers.get("authorization"));
  if (basic.kind === "malformed") throw fail("The Basic credentials are malformed.");
  const bodyId = params.get("client_id");
  const bodySecret = params.get("client_secret");
  if (basic.kind === "basic") {
    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    if (bodySecret !== undefined) {
      throw new OAuthError("invalid_request", "Client credentials were sent by more than one method.");
    }
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new OAuthError("invalid_request", "The client_id parameter does not match the Basic credentials.");
    }
    return { clientId: basic.clientId, secret: basic.secret, method: "client_secret_basic" };
  }
  if (bodyId === undefined) throw fail("Client authentication is required.");
  if (bodySecret !== undefined) return { clientId: bodyId, secret: bodySecret, method: "client_secret_post" };
  return { clientId: bodyId, method: "none" };
}

/** The outcome of {@link parseBasicCredentials}. */
export type BasicCredentials =
  | {
      /** No `Authorization: Basic` header. */
      kind: "absent";
    }
  | {
      /** A Basic header that does not decode (answered `invalid_client`). */
      kind: "malformed";
    }
  | {
      /** Decoded credentials. */
      kind: "basic";
      /** The client id, form-urldecoded. */
      clientId: string;
      /** The client secret, form-urldecoded. */
      secret: string;
    };

/**
 * Decodes `Authorization: Basic` credentials as RFC 6749 §2.3.1 defines them: base64 of
 * `form-urlencode(client_id) ":" form-urlencode(client_secret)`. `absent` when there is no header
 * or it uses another scheme.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function parseBasicCredentials(header: string | null): BasicCredentials {
  if (header === null) return { kind: "absent" };
  const space = header.indexOf(" ");
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== "basic") return { kind: "absent" };
  if (space === -1) return { kind: "malformed" };
  try {
    const bytes = decodeBase64(header.slice(space + 1).trim());
    const decoded = utf8.decode(bytes);
    const colon = decoded.indexOf(":");
    if (colon === -1) return { kind: "malformed" };
    const clientId = formUrlDecode(decoded.slice(0, colon));
    const secret = formUrlDecode(decoded.slice(colon + 1));
    return clientId === "" ? { kind: "malformed" } : { kind: "basic", clientId, secret };
  } catch {
    // Bad base64, bad UTF-8 or bad percent-encoding.
    return { kind: "malformed" };
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The `application/x-www-form-urlencoded` decoding of one value (`+` is a space). */
function formUrlDecode(value: string): string {
  return decodeURIComponent(value.replaceAll("+", " "));
}
