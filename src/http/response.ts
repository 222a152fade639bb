/**
 * Building responses: JSON with the no-store headers that token responses require, OAuth error
 * responses, and redirects.
 *
 * @module
 */
import { OAuthError } from "../errors.js";

/**
 * Headers of every response that carries tokens or credentials (RFC 6749 §5.1: `Cache-Control:
 * no-store` and `Pragma: no-cache`).
 */
const NO_STORE_HEADERS = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;
/** The headers of most JSON answers, built once: the Response constructor reads a shared object faster. */
const JSON_NO_STORE_HEADERS = { "Content-Type": "application/json", ...NO_STORE_HEADERS } as const;

/** Options of {@link jsonResponse}. */
export interface JsonResponseOptions {
  /** HTTP status (default 200). */
  status?: number;
  /** Headers added to (or overriding) the JSON and no-store ones. */
  headers?: Record<string, string>;
}

/**
 * A JSON response with `Cache-Control: no-store` and `Pragma: no-cache`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function jsonResponse(body: unknown, options: JsonResponseOptions = {}): Response {
  return new Response(JSON.stringify(body), {
    status: options.status ?? 200,
    headers: options.headers === undefined ? JSON_NO_STORE_HEADERS : { ...JSON_NO_STORE_HEADERS, ...options.headers },
  });
}

/**
 * The JSON error response of an {@link OAuthError} (RFC 6749 §5.2), with its status and headers
 * (e.g. `WWW-Authenticate` on `401 invalid_client`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function errorResponse(error: OAuthError): Response {
  return jsonResponse(error.toJSON(), { status: error.status, headers: error.headers });
}

/** A redirect to `location` (302 Found), not cached. */
export function redirectResponse(location: string): Response {
  return new Response(null, { status: 302, headers: { Location: location, ...NO_STORE_HEADERS } });
}

/**
 * Something the host wants to hear about unexpected failures (never sent to clients): the
 * `onError` option.
 *
 * @param error - The failure.
 * @param request - The request it was answering.
 */
export type ErrorReporter = (error: unknown, request: Request) => void;

/**
 * The reporter used when the host configured none: one `console.error` per failure, with the error
 * itself (so the runtime prints its stack and `cause`) and where it happened — the method and the
 * URL without its query, which may carry codes or tokens.
 *
 * @param error - the unexpected failure.
 * @param request - the request it was answering.
 */
export function logUnexpectedError(error: unknown, request: Request): void {
  const query = request.url.indexOf("?");
  const url = query === -1 ? request.url : request.url.slice(0, query);
  console.error(`oauthkit: unexpected error answering ${request.method} ${url}:`, error);
}

/**
 * What a failure becomes: an {@link OAuthError} its RFC-shaped answer, anything else `500
 * server_error` without detail, reported to `onError` (or, without one, logged by
 * {@link logUnexpectedError}: a failure is never silent).
 */
export function errorToResponse(error: unknown, request: Request, onError: ErrorReporter | undefined): Response {
  if (error instanceof OAuthError) return errorResponse(error);
  try {
    (onError ?? logUnexpectedError)(error, request);
  } catch {
    // A failing reporter must not turn a 500 into a crash.
  }
  return errorResponse(new OAuthError("server_error", "The server encountered an unexpected error."));
}

/** Runs an endpoint and turns whatever it throws into a response ({@link errorToResponse}). */
export async function respondToErrors<T>(
  request: Request,
  onError: ErrorReporter | undefined,
  handler: () => Promise<T>,
): Promise<T | Response> {
  try {
    return await handler();
  } catch (error) {
    return errorToResponse(error, request, onError);
  }
}
