/**
 * Matching a requested `redirect_uri` against a client's registered ones.
 *
 * @module
 */
import { parseUrl } from "../http/url.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]"]);

/**
 * Whether `uri` is a loopback redirect URI in the sense of RFC 8252 §7.3: `http` to the IPv4 or
 * IPv6 loopback literal. (`localhost` is not one: RFC 8252 §8.3 advises against it, so it is
 * matched exactly like any other URI.)
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function isLoopbackRedirectUri(uri: string): boolean {
  const url = parseUrl(uri);
  return url !== null && url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Whether a requested redirect URI matches a registered one: exact string comparison (RFC 6749
 * §3.1.2.3, OAuth 2.1 §2.3.1), except that for a loopback URI the port is ignored, because native
 * apps listen on whatever port the OS gives them (RFC 8252 §7.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true;
  if (!isLoopbackRedirectUri(registered)) return false;
  const a = parseUrl(requested);
  const b = parseUrl(registered);
  if (a === null || b === null || a.protocol !== "http:") return false;
  return (
    a.hostname === b.hostname &&
    a.pathname === b.pathname &&
    a.search === b.search &&
    a.hash === "" &&
    a.username === "" &&
    a.password === ""
  );
}

/**
 * The registered URI that `requested` matches, or `undefined`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3
 */
export function findRegisteredRedirectUri(requested: string, registered: readonly string[]): string | undefined {
  return registered.find((candidate) => redirectUriMatches(requested, candidate));
}
