/**
 * The Web `Request → Response` adapter of the endpoint cores: reads the request into an
 * {@link EndpointRequest} (the body streamed with its cap) and writes the {@link EndpointResult}
 * back as a `Response`.
 *
 * @module
 */
import { OAuthError } from "../errors.js";
import { type EmitEvent, eventEmitter } from "../events.js";
import { type RateLimitedEndpoint, rateLimitRefusal } from "../rate-limit.js";
import { readBodyText } from "../http/body.js";
import { assertFormContentType } from "../http/form.js";
import { type ErrorReporter, logUnexpectedError } from "../http/response.js";
import type { ServerContext } from "../context.js";
import type { IssuedTokens } from "../grants/issue.js";
import {
  type EndpointContext,
  type EndpointRequest,
  type EndpointResult,
  type FormEndpoint,
  errorResult,
  namedClientId,
  parseFormBodyOnce,
  resultOf,
  serveFormEndpoint,
  tokenResult,
} from "./exchange.js";

/**
 * A `Response` of an endpoint result (`""` body: none).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15
 */
export function toResponse(result: EndpointResult): Response {
  return new Response(result.body === "" ? null : result.body, { status: result.status, headers: result.headers });
}

/**
 * The successful token response (RFC 6749 §5.1): `access_token`, `token_type: "Bearer"`,
 * `expires_in`, `scope` and, when issued, `refresh_token`, with `Cache-Control: no-store` and
 * `Pragma: no-cache`.
 *
 * @param tokens - what a grant issued (`exchangeAuthorizationCode`, `refreshAccessToken`, …).
 * @example
 * ```ts
 * return tokenResponse(await refreshAccessToken({ client, refreshToken }, { storage, policy }));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function tokenResponse(tokens: IssuedTokens): Response {
  return toResponse(tokenResult(tokens));
}

/**
 * Reads a Web request into an {@link EndpointRequest}. A form `POST` body is read with the cap
 * (streamed, so an oversized body is never held whole); anything else is left for the core to
 * refuse, without reading it.
 *
 * @throws {OAuthError} `invalid_request` (400, 413) when the body cannot be read within the cap.
 */
export async function endpointRequestOf(request: Request, maxBodyBytes: number): Promise<EndpointRequest> {
  const contentType = request.headers.get("content-type") ?? undefined;
  const authorization = request.headers.get("authorization") ?? undefined;
  const origin = request.headers.get("origin") ?? undefined;
  let body = "";
  if (request.method === "POST") {
    // The content type is judged before the body is read, as the core would: a wrong one is a 400 whatever the size.
    assertFormContentType(contentType);
    body = await readBodyText(request, maxBodyBytes);
  }
  return { method: request.method, headers: { authorization, contentType, origin }, body };
}

/** The `report` of a core serving a Web request: the host's `onError` (default: the log), with the request. */
export function reporterFor(request: Request, onError: ErrorReporter | undefined): (error: unknown) => void {
  return (error) => (onError ?? logUnexpectedError)(error, request);
}

/**
 * Serves a Web request with an endpoint core: reads it, runs the core, writes the result. Nothing
 * throws: a body that cannot be read is its RFC-shaped error.
 */
export async function serveWithCore(
  request: Request,
  maxBodyBytes: number,
  core: (input: EndpointRequest) => Promise<EndpointResult>,
): Promise<Response> {
  let input: EndpointRequest;
  try {
    input = await endpointRequestOf(request, maxBodyBytes);
  } catch (error) {
    if (error instanceof OAuthError) return toResponse(errorResult(error, undefined));
    throw error;
  }
  return toResponse(await core(input));
}

/** The endpoint context of a server, for one Web request (its reporter names the request). */
export function endpointContext(ctx: ServerContext, request: Request): EndpointContext<ServerContext["config"]["storage"]> {
  return {
    policy: ctx.config,
    storage: ctx.config.storage,
    getClient: ctx.getClient,
    now: ctx.config.now,
    hash: ctx.config.hash,
    sealer: ctx.config.propsSealer,
    tokenHook: ctx.config.tokenHook,
    report: reporterFor(request, ctx.config.onError),
    emit: emitterFor(ctx, request),
  };
}

/**
 * Serves a Web request with a form endpoint, after the host's `rateLimit` hook (told the client id
 * the request names): a refusal is the endpoint's JSON error, `429` with `Retry-After`. The body is
 * parsed once, for both.
 */
export function serveEndpoint(
  ctx: ServerContext,
  request: Request,
  name: RateLimitedEndpoint,
  endpoint: FormEndpoint<ServerContext["config"]["storage"]>,
): Promise<Response> {
  return serveWithCore(request, ctx.config.maxBodyBytes, (input) => {
    const context = endpointContext(ctx, request);
    const { rateLimit } = ctx.config;
    if (rateLimit === undefined) return serveFormEndpoint(endpoint, input, context, undefined);
    return resultOf(context.report, async () => {
      const parsed = parseFormBodyOnce(input, endpoint.multiValued);
      // A malformed body names no client in it (the endpoint then refuses it, 400).
      const clientId = namedClientId(input.headers.authorization, parsed ?? NO_PARAMETERS);
      const refusal = await rateLimitRefusal(rateLimit, { endpoint: name, clientId, request });
      if (refusal !== undefined) throw refusal;
      return serveFormEndpoint(endpoint, input, context, parsed);
    });
  });
}

const NO_PARAMETERS = { get: () => undefined };

/**
 * The server's `onEvent` for the events of one request, made safe: a listener that throws or
 * rejects is reported to `onError` (with the request, or a stand-in `POST` to the URL given when
 * there is no request at hand) and never changes the answer. `undefined` when the host listens to
 * nothing.
 */
export function emitterFor(ctx: ServerContext, request: Request | string): EmitEvent | undefined {
  if (ctx.config.onEvent === undefined) return undefined;
  const report = (error: unknown) =>
    (ctx.config.onError ?? logUnexpectedError)(error, typeof request === "string" ? new Request(request, { method: "POST" }) : request);
  return eventEmitter(ctx.config.onEvent, ctx.config.now, report);
}
