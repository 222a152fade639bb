/**
 * The rate-limit hook: the host decides, per request, whether an endpoint answers it; oauthkit
 * answers a refusal `429 Too Many Requests` with `Retry-After` (RFC 6585 §4, RFC 9110 §10.2.3) in
 * the endpoint's own error shape.
 *
 * @module
 */
import { OAuthError } from "./errors.js";

/** The endpoints the hook guards. `registration` includes RFC 7592 client configuration requests. */
export type RateLimitedEndpoint = "token" | "registration" | "authorization" | "introspection" | "revocation";

/** What the hook is asked about. */
export interface RateLimitInput {
  /** The endpoint the request is for. */
  endpoint: RateLimitedEndpoint;
  /**
   * The client the request names, before anything is checked: the `Basic` user name or the
   * `client_id` parameter (token, revocation, introspection, authorization), the client of an
   * RFC 7592 request; `undefined` when it names none (a new registration, an empty `client_id`,
   * a form body that does not parse, which the endpoint refuses). Unauthenticated: a limit keyed
   * on it alone can be spent by anyone who knows the id, so key on the address too.
   */
  clientId: string | undefined;
  /**
   * The request, for its headers (e.g. the client address your proxy sets) and URL. Its body has
   * already been read by the token, revocation and introspection endpoints; do not read it.
   */
  request: Request;
}

/** A refusal: the request is answered `429` with `Retry-After`. */
export interface RateLimitRefusal {
  /** Seconds after which the client may try again (rounded up to a whole second). */
  retryAfter: number;
}

/**
 * The `rateLimit` option: return a {@link RateLimitRefusal} to refuse the request, or nothing to
 * let it through. Runs before the endpoint does any work (no storage call). If it throws, the
 * request is answered `500 server_error` and the error reported to `onError` (catch inside it to
 * fail open instead).
 *
 * @example
 * ```ts
 * const rateLimit: RateLimitHook = ({ endpoint, request }) =>
 *   endpoint === "registration" && !bucket.take(request.headers.get("x-client-ip") ?? "?") ? { retryAfter: 60 } : undefined;
 * ```
 */
export type RateLimitHook = (input: RateLimitInput) => RateLimitRefusal | undefined | void | Promise<RateLimitRefusal | undefined | void>;

/**
 * Asks the hook; the refusal as the {@link OAuthError} every endpoint answers it with:
 * `temporarily_unavailable` (RFC 6749 §4.1.2.1, the closest OAuth code) with status `429` and
 * `Retry-After`. `undefined`: go on.
 *
 * @throws {TypeError} when the hook's `retryAfter` is not a non-negative number (a host mistake,
 *   answered `500`).
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4
 */
export async function rateLimitRefusal(hook: RateLimitHook | undefined, input: RateLimitInput): Promise<OAuthError | undefined> {
  if (hook === undefined) return undefined;
  const verdict = await hook(input);
  if (verdict === undefined || verdict === null) return undefined;
  const seconds: unknown = verdict.retryAfter;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
    throw new TypeError("rateLimit: retryAfter must be a non-negative number of seconds.");
  }
  const delay = Math.ceil(seconds);
  return new OAuthError("temporarily_unavailable", `Too many requests: retry after ${delay} seconds.`, {
    status: 429,
    headers: { "Retry-After": String(delay) },
  });
}
