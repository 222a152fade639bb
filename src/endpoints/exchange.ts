/**
 * The HTTP-free shape of the token, revocation and introspection endpoints: a plain request in,
 * a plain result out ({@link EndpointRequest} → {@link EndpointResult}). The Web `Request →
 * Response` handlers are thin adapters over it, and so are adapters that never build Web objects
 * (node:http, Express, Fastify). Also where every failure becomes its RFC-shaped result, once.
 *
 * @module
 */
import { type ClientAuthenticationOptions, type ClientLookup, parseBasicCredentials } from "../clients/authenticate.js";
import type { TokenHasher } from "../crypto.js";
import type { EmitEvent } from "../events.js";
import type { Sealer } from "../sealing.js";
import type { TokenHook } from "../grants/token-hook.js";
import { OAuthError } from "../errors.js";
import { type RequestParameters, assertFormContentType, assertNoRepeatedParameters, parseParameters } from "../http/form.js";
import type { ServerPolicy } from "../policy.js";
import { formatScope } from "../rules/scope.js";
import type { IssuedTokens } from "../grants/issue.js";

/**
 * The request headers an endpoint reads, by their HTTP names in camelCase (values as sent;
 * absent: not sent).
 */
export interface EndpointRequestHeaders {
  /** `Authorization` (HTTP Basic client credentials, RFC 6749 §2.3.1). */
  authorization?: string | undefined;
  /** `Content-Type` (must be `application/x-www-form-urlencoded`, RFC 6749 §3.2). */
  contentType?: string | undefined;
  /** `Origin`, for adapters that answer CORS themselves; the endpoints do not read it. */
  origin?: string | undefined;
}

/** Already-decoded form fields, e.g. a `URLSearchParams` (names and values as sent, repeats kept). */
export type FormEntries = Iterable<readonly [string, string]>;

/**
 * One request to an endpoint, without HTTP objects: what an adapter hands the core.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export interface EndpointRequest {
  /** The HTTP method (only `POST` is served; anything else is `405`). */
  method: string;
  /** The headers the endpoint reads. */
  headers: EndpointRequestHeaders;
  /**
   * The body: its text (checked against `maxBodyBytes`, parsed strictly), or fields a framework
   * already decoded (then the adapter is responsible for its body limit).
   */
  body: string | FormEntries;
}

/**
 * What an endpoint answers, without HTTP objects: the adapter writes it out as is. `body` is JSON,
 * or empty (no body).
 */
export interface EndpointResult {
  /** The HTTP status. */
  status: number;
  /** Response headers (a new object each time: an adapter may add to it). */
  headers: Record<string, string>;
  /** The response body: JSON text, or `""` for none. */
  body: string;
}

/**
 * What the endpoint cores share: the policy, the client lookup, a clock, and where unexpected
 * failures (answered `500 server_error`) are reported.
 *
 * @typeParam S - the storage methods the endpoint calls (a `Pick<Storage, …>`).
 */
export interface EndpointContext<S> {
  /** The server policy. */
  policy: ServerPolicy;
  /** Only the storage methods the endpoint's operations call. */
  storage: S;
  /** Where clients come from (a store's `getClient`, or a resolver in front of it). */
  getClient: ClientLookup;
  /** Clock in seconds since the epoch (default: the system clock). */
  now?: (() => number) | undefined;
  /** How credentials are hashed (default: the portable `hashToken`; see `TokenHasher`). */
  hash?: TokenHasher | undefined;
  /** The sealer of `props.keys`, for grants with props (a server's `config.propsSealer`). */
  sealer?: Sealer | undefined;
  /** The host's token hook (a server's `config.tokenHook`). */
  tokenHook?: TokenHook | undefined;
  /**
   * Told about unexpected failures (never sent to the client); default `console.error`. Must not
   * throw (if it does, the failure is still answered `500`).
   */
  report?: ((error: unknown) => void) | undefined;
  /** Told what happened (codes redeemed, replays, rotations, revocations…): the server's `onEvent`, made safe. */
  emit?: EmitEvent | undefined;
}

/** Headers of every response that carries tokens or credentials (RFC 6749 §5.1). */
const JSON_NO_STORE_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" } as const;

/**
 * A JSON result with `Cache-Control: no-store` and `Pragma: no-cache`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function jsonResult(body: unknown, status = 200, headers?: Record<string, string>): EndpointResult {
  return { status, headers: headers === undefined ? { ...JSON_NO_STORE_HEADERS } : { ...JSON_NO_STORE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The successful token response (RFC 6749 §5.1) as a plain result: `access_token`, `token_type`
 * `Bearer`, `expires_in`, `scope`, `refresh_token` when issued; `Cache-Control: no-store`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function tokenResult(tokens: IssuedTokens): EndpointResult {
  const body: Record<string, string | number> = {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    scope: formatScope(tokens.scope),
  };
  if (tokens.refreshToken !== undefined) body["refresh_token"] = tokens.refreshToken;
  return jsonResult(body);
}

/**
 * The result of a failure: an {@link OAuthError} its RFC 6749 §5.2 answer (status, headers such as
 * `WWW-Authenticate`, JSON body); anything else `500 server_error` without detail, reported.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function errorResult(error: unknown, report: ((error: unknown) => void) | undefined): EndpointResult {
  if (error instanceof OAuthError) return jsonResult(error.toJSON(), error.status, error.headers);
  try {
    if (report === undefined) console.error("oauthkit: unexpected error:", error);
    else report(error);
  } catch {
    // A failing reporter must not turn a 500 into a crash.
  }
  return jsonResult(new OAuthError("server_error", "The server encountered an unexpected error.").toJSON(), 500);
}

/** Runs an endpoint core; whatever it throws becomes its result ({@link errorResult}). */
export async function resultOf(report: ((error: unknown) => void) | undefined, run: () => Promise<EndpointResult>): Promise<EndpointResult> {
  try {
    return await run();
  } catch (error) {
    return errorResult(error, report);
  }
}

/** Options of {@link readFormParameters}. */
export interface FormReadOptions {
  /** Largest body accepted, in bytes. */
  maxBodyBytes: number;
  /** Parameters that may appear more than once (RFC 8707 `resource`). */
  multiValued?: readonly string[] | undefined;
  /**
   * The body's parameters, already parsed by the adapter ({@link parseFormBodyOnce}); absent: the
   * body is parsed here.
   */
  parsed?: RequestParameters | undefined;
}

/**
 * The parameters of a form `POST`, strictly: `POST` only (405), content type
 * `application/x-www-form-urlencoded`, the body cap (413), well-formed percent-encoding, no
 * repeated parameters.
 *
 * @throws {OAuthError} `invalid_request` with status 400, 405 or 413.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function readFormParameters(input: EndpointRequest, options: FormReadOptions): RequestParameters {
  if (input.method !== "POST") {
    throw new OAuthError("invalid_request", "This endpoint accepts only POST requests.", { status: 405, headers: { Allow: "POST" } });
  }
  assertFormContentType(input.headers.contentType);
  const { body } = input;
  if (typeof body === "string" && utf8Length(body, options.maxBodyBytes) > options.maxBodyBytes) {
    throw new OAuthError("invalid_request", `The request body exceeds ${options.maxBodyBytes} bytes.`, { status: 413 });
  }
  const params = options.parsed ?? parseBody(body, options.multiValued);
  assertNoRepeatedParameters(params);
  return params;
}

function parseBody(body: EndpointRequest["body"], multiValued: readonly string[] | undefined): RequestParameters {
  if (typeof body === "string") return parseParameters(body, multiValued);
  // Decoded fields re-encoded, so that they go through the one strict parser.
  const pairs: string[] = [];
  for (const [name, value] of body) pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return parseParameters(pairs.join("&"), multiValued);
}

/**
 * The body's parameters parsed once, for an adapter that reads them before the core does (to name
 * the client to the rate-limit hook) and hands them on in {@link FormReadOptions.parsed}; repeats
 * are collected, not refused (the core refuses them, in its order). `undefined` when the body is
 * malformed: the core parses it again and answers the error where it would have.
 */
export function parseFormBodyOnce(input: EndpointRequest, multiValued: readonly string[] | undefined): RequestParameters | undefined {
  try {
    return parseBody(input.body, multiValued);
  } catch (error) {
    if (error instanceof OAuthError) return undefined;
    throw error;
  }
}

/**
 * A form endpoint's work over its parameters (the token, revocation and introspection endpoints):
 * what its `process*Request` function and the Web adapter share, so that the adapter may parse
 * the body once for both the rate-limit hook and the endpoint.
 *
 * @typeParam S - the storage methods the endpoint calls.
 */
export interface FormEndpoint<S> {
  /** Parameters that may appear more than once (RFC 8707 `resource`). */
  multiValued?: readonly string[];
  /** The endpoint's work, given parameters already checked strictly ({@link readFormParameters}). */
  serve(input: EndpointRequest, params: RequestParameters, ctx: EndpointContext<S>): Promise<EndpointResult>;
}

/**
 * Serves a request with a form endpoint: reads its parameters strictly (or checks the ones
 * `parsed` already), then runs it. Every failure is its RFC-shaped result; nothing throws.
 */
export function serveFormEndpoint<S>(
  endpoint: FormEndpoint<S>,
  input: EndpointRequest,
  ctx: EndpointContext<S>,
  parsed: RequestParameters | undefined,
): Promise<EndpointResult> {
  return resultOf(ctx.report, () =>
    endpoint.serve(input, readFormParameters(input, { maxBodyBytes: ctx.policy.maxBodyBytes, multiValued: endpoint.multiValued, parsed }), ctx),
  );
}

/** The UTF-8 length of `text`, counted only as far as it matters (past `cap`, any larger number). */
function utf8Length(text: string, cap: number): number {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short bodies need no count.
  if (text.length * 3 <= cap) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= cap; i++) {
    const unit = text.charCodeAt(i);
    // A surrogate pair (4 bytes) is two units of 2 each.
    bytes += unit < 0x80 ? 1 : unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}

/**
 * The client id a request names, before it is authenticated: the `Basic` user name, else the
 * `client_id` parameter; `undefined` when it names none (or the header does not decode).
 */
export function namedClientId(authorization: string | undefined, params: Pick<RequestParameters, "get">): string | undefined {
  const basic = parseBasicCredentials(authorization ?? null);
  return basic.kind === "basic" ? basic.clientId : params.get("client_id");
}

/** The request's headers as `authenticateClient` reads them (only `Authorization`). */
export function credentialHeaders(input: EndpointRequest): Pick<Headers, "get"> {
  const authorization = input.headers.authorization ?? null;
  return { get: (name: string) => (name.toLowerCase() === "authorization" ? authorization : null) };
}

/**
 * Client authentication as the token, revocation and introspection endpoints do it: the policy's
 * methods, its issuer as the realm of the `Basic` challenge (RFC 6749 §2.3.1).
 */
export function clientAuthenticationOptions(ctx: EndpointContext<unknown>): ClientAuthenticationOptions {
  const options: ClientAuthenticationOptions = {
    getClient: ctx.getClient,
    methods: ctx.policy.clientAuthenticationMethods,
    realm: ctx.policy.issuer,
  };
  if (ctx.now !== undefined) options.now = ctx.now;
  if (ctx.hash !== undefined) options.hash = ctx.hash;
  return options;
}
