/**
 * Which redirect URIs a client may register (RFC 7591 §2, RFC 8252 §7, OAuth 2.1 §2.3).
 *
 * @module
 */
import { parseUrl } from "../http/url.js";

/** Schemes that execute or read locally instead of navigating: never a redirect target. */
const DANGEROUS_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:", "about:"]);
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);
// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
// C0 controls, DEL and C1 controls (NUL included): never legitimate, often an injection attempt.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a redirect URI cannot be registered, or `undefined` when it can. Allowed:
 * - `https` URLs;
 * - `http` to a loopback host — `127.0.0.1`, `[::1]` (RFC 8252 §7.3) and `localhost`, which many
 *   native and CLI clients (MCP clients among them) register even though RFC 8252 §8.3 prefers the
 *   IP literals;
 * - private-use URI schemes of native apps, such as `cursor://` or `com.example.app:/callback`
 *   (RFC 8252 §7.1).
 * Refused: `javascript:`, `data:`, `vbscript:`, `file:` and similar schemes, any fragment
 * (RFC 6749 §3.1.2), control characters, and `http` to any other host.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (CONTROL.test(uri)) return "must not contain control characters";
  if (!SCHEME.test(uri)) return "must be an absolute URI";
  const url = parseUrl(uri);
  if (url === null) return "must be a valid URI";
  if (uri.includes("#")) return "must not contain a fragment (RFC 6749 §3.1.2)";
  if (DANGEROUS_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  if (url.username !== "" || url.password !== "") return "must not contain credentials";
  // "https:cb" parses (as https://cb/), but what is registered is compared as a string later: the
  // authority must be written out.
  if ((url.protocol === "https:" || url.protocol === "http:") && !/^https?:\/\/[^/]/i.test(uri)) return "must be a valid URI";
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:") {
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : "must use https, except on a loopback host (RFC 8252 §7.3)";
  }
  // Any other scheme is a private-use scheme of a native app (RFC 8252 §7.1).
  return undefined;
}
