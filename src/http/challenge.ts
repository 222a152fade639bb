/**
 * The one builder of `WWW-Authenticate` challenges (RFC 9110 §11.6.1), for the `Basic` challenge
 * of client authentication (RFC 7617) and the `Bearer` challenge of protected resources and
 * registration management (RFC 6750 §3).
 *
 * @module
 */

/** The schemes oauthkit challenges with. */
export type ChallengeScheme = "Basic" | "Bearer";

/**
 * A `WWW-Authenticate` value: the scheme, then each parameter as `name="value"` (an undefined
 * value is left out). Every value is written as a quoted-string (RFC 9110 §5.6.4): `"` and `\` are
 * escaped as quoted-pairs, and characters a header value cannot carry (controls, anything outside
 * printable ASCII) become `?`, so a configured realm or a description can neither break out of
 * its quotes nor make the header invalid.
 *
 * @param scheme - `Basic` or `Bearer`.
 * @param params - the auth-params in order, e.g. `[["realm", issuer], ["error", "invalid_token"]]`.
 * @example
 * ```ts
 * authenticateChallenge("Bearer", [["error", "invalid_token"], ["resource_metadata", url]]);
 * // Bearer error="invalid_token", resource_metadata="https://…"
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
export function authenticateChallenge(scheme: ChallengeScheme, params: ReadonlyArray<readonly [string, string | undefined]> = []): string {
  let value: string = scheme;
  let first = true;
  for (const [name, raw] of params) {
    if (raw === undefined) continue;
    value += `${first ? " " : ", "}${name}="${quote(raw)}"`;
    first = false;
  }
  return value;
}

// Printable ASCII and SP/HTAB are all a quoted-string may hold (obs-text aside, which Headers would mangle).
const UNSAFE = /[^\t\x20-\x7e]/g;

function quote(value: string): string {
  return value.replace(UNSAFE, "?").replace(/["\\]/g, "\\$&");
}
