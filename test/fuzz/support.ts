/**
 * Shared settings and generators of the property-based (fuzz) suite, `npm run test:fuzz`.
 *
 * A fixed seed keeps CI deterministic: a failure reproduces with the same seed, and fast-check
 * prints the counterexample and its `path` for replay. Bounded run counts keep the whole suite well
 * under a minute on two cores. Every asynchronous run has a time limit, so a hang (a catastrophic
 * regex, a body read that never ends) fails the property instead of stalling CI.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { OAuthError } from "../../src/index.js";

/** The seed of every property; change it locally to explore, never in CI. */
export const FUZZ_SEED = 20_261_130;

fc.configureGlobal({
  seed: FUZZ_SEED,
  numRuns: 200,
  // Per run: a property run taking longer than this counts as a failure ("nothing hangs").
  timeout: 2_000,
});

/** Every error code an endpoint may answer with (RFC 6749 §4.1.2.1 and §5.2, RFC 6750, 7591, 8707). */
export const RFC_ERROR_CODES = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "access_denied",
  "unsupported_response_type",
  "invalid_token",
  "insufficient_scope",
  "invalid_redirect_uri",
  "invalid_client_metadata",
  "invalid_target",
]);

/**
 * Runs `action`: it must return, or throw an `OAuthError` with a 4xx status. Anything else (a
 * TypeError, a RangeError from a regex, a 500) is the bug this suite looks for.
 */
export function returnsOrThrowsOAuthError<T>(action: () => T, codes?: readonly string[]): T | OAuthError {
  try {
    return action();
  } catch (error) {
    expectClientError(error, codes);
    return error as OAuthError;
  }
}

/** {@link returnsOrThrowsOAuthError} for promises. */
export async function resolvesOrRejectsWithOAuthError<T>(action: () => Promise<T>, codes?: readonly string[]): Promise<T | OAuthError> {
  try {
    return await action();
  } catch (error) {
    expectClientError(error, codes);
    return error as OAuthError;
  }
}

function expectClientError(error: unknown, codes: readonly string[] | undefined): void {
  expect(error).toBeInstanceOf(OAuthError);
  const oauth = error as OAuthError;
  expect(oauth.status).toBeGreaterThanOrEqual(400);
  expect(oauth.status).toBeLessThan(500);
  if (codes !== undefined) expect(codes).toContain(oauth.error);
}

/** An RFC-shaped JSON error response: 4xx, `no-store`, an RFC error code. */
export async function expectErrorResponse(response: Response, statuses: readonly number[]): Promise<{ error: string; error_description?: string }> {
  expect(statuses).toContain(response.status);
  const body = (await response.json()) as { error: string; error_description?: string };
  expect(RFC_ERROR_CODES.has(body.error)).toBe(true);
  return body;
}

/** Any text, any code point: most of it nonsense, which is the point. */
export const anyText = fc.string({ unit: "binary", maxLength: 80 });

/**
 * Text of the characters that matter to URL and form parsers, so that generated input hits their
 * edge cases far more often than uniform Unicode would.
 */
export const syntaxText = fc.string({
  unit: fc.constantFrom(
    ..."aZ09-._~%+&=:/?#[]@!$'()*,; \"<>\\^`{|}",
    "%2",
    "%zz",
    "%C3",
    "%ED%A0%80",
    "%00",
    "%25",
    "\u0000",
    "\n",
    "é",
    "\u{1F600}",
    "\uFFFD",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "https",
    "http",
  ),
  maxLength: 40,
});

/** Either of the above: uniform noise and syntax-heavy noise. */
export const hostileText = fc.oneof(anyText, syntaxText);

/**
 * A header value the Fetch API accepts (a ByteString without NUL, CR or LF): the only kind an
 * attacker can actually deliver to the server.
 */
export const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x01, max: 0xff }).filter((c) => c !== 0x0a && c !== 0x0d).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(..."BasicBearer basic bearer BEARER ", "=", "+", "/", "-", "_", "~", ".", ":", "\t", "A", "z", "9", "!", ","), maxLength: 60 }),
);
