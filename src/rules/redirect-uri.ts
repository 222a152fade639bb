/**
 * Redirect URIs: which ones a client may register, and whether a requested one matches a registered
 * one. The one rule used by registration (RFC 7591, RFC 7592 updates), client ID metadata documents
 * and the authorization endpoint; the token endpoint then requires the very string the code was
 * issued for (RFC 6749 §4.1.3).
 *
 * Both sides work on the URI as written, never on what a URL parser makes of it: a parser turns
 * `http://127.1/`, `http://2130706433/`, `HTTP://127.0.0.1./x/../cb` and `http:\\127.0.0.1\cb` into
 * the same URL, which is exactly why they must not match.
 *
 * @module
 */
import { parseUrl } from "../http/url.js";

/**
 * The hosts an `http` redirect URI may name, written exactly so: the loopback IP literals of RFC 8252
 * §7.3 and `localhost`, which many native and CLI clients (MCP clients among them) register although
 * RFC 8252 §8.3 prefers the literals.
 */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** Schemes that execute or read locally instead of navigating, named in the refusal. */
const DANGEROUS_SCHEMES = new Set(["javascript", "data", "vbscript", "file", "blob", "about", "view-source", "filesystem", "jar"]);

// An http URI on a loopback host, split into host, optional port and the rest (path and query).
// Only the lower-case scheme and the hosts above, written out, qualify.
const LOOPBACK_URI = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::([0-9]+))?([/?].*)?$/s;
// RFC 3986 §2: the characters a URI may contain (ASCII only; no space, backslash, quote, <, >, ^, `, {, |, }).
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
// RFC 3986 §3.1, lower case as §3.1 says schemes are normalised.
const SCHEME = /^([a-z][a-z0-9+.-]*):/;
// RFC 8252 §7.1: a private-use scheme is a reverse domain name, e.g. com.example.app.
const REVERSE_DOMAIN_SCHEME = /^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+$/;
const DOT_SEGMENT = /\/\.{1,2}(?:[/?]|$)/;

/**
 * Whether `hostname` is one of the loopback host names oauthkit treats as local: `127.0.0.1`,
 * `[::1]` and `localhost`, compared as written.
 *
 * @param hostname a host as written (IPv6 in brackets), or a parsed URL's `hostname`.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

interface LoopbackParts {
  host: string;
  port: string | undefined;
  rest: string;
}

function loopbackParts(uri: string): LoopbackParts | undefined {
  const match = LOOPBACK_URI.exec(uri);
  if (match === null) return undefined;
  const [, host, port, rest = ""] = match;
  if (port !== undefined && !/^[1-9][0-9]{0,4}$/.test(port)) return undefined;
  if (port !== undefined && Number(port) > 65535) return undefined;
  return { host: host!, port, rest };
}

/**
 * Whether `uri` is a loopback redirect URI, whose port may differ at the authorization endpoint
 * (RFC 8252 §7.3): `http://127.0.0.1`, `http://[::1]` or `http://localhost`, written exactly so,
 * with an optional port from 1 to 65535.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function isLoopbackRedirectUri(uri: string): boolean {
  return loopbackParts(uri) !== undefined;
}

/**
 * Whether `scheme` may be admitted by `registration.privateUseSchemes`: a lower-case URI scheme
 * (RFC 3986 §3.1) that is none of the web, local-file or script schemes.
 */
export function isAdmissiblePrivateUseScheme(scheme: string): boolean {
  return /^[a-z][a-z0-9+.-]*$/.test(scheme) && !DANGEROUS_SCHEMES.has(scheme) && !WEB_SCHEMES.has(scheme);
}

// Schemes with their own rule above, or that name no app: never admitted as private-use schemes.
const WEB_SCHEMES = new Set(["http", "https", "ws", "wss", "ftp", "mailto", "tel", "urn", "localhost", "chrome", "about"]);

/** Options of {@link redirectUriProblem}. */
export interface RedirectUriRules {
  /**
   * Whether the client is public (`token_endpoint_auth_method` `none`). Only public clients — native
   * apps — may register private-use schemes (RFC 8252 §7.1, §8.4). Default `false`.
   */
  publicClient?: boolean;
  /**
   * Private-use schemes admitted besides the reverse-domain ones, for public clients only: the
   * host's `registration.privateUseSchemes` (e.g. `["cursor"]`). Default none.
   */
  privateUseSchemes?: readonly string[];
}

/**
 * Why a redirect URI cannot be registered, or `undefined` when it can. Allowed, and nothing else:
 * - `https` URIs with a host;
 * - `http` URIs whose host is written `127.0.0.1`, `[::1]` or `localhost` (RFC 8252 §7.3, §8.3);
 * - for public clients only, private-use schemes in reverse-domain form, such as
 *   `com.example.app:/callback` (RFC 8252 §7.1: the scheme contains a dot).
 *
 * Always refused: characters outside RFC 3986 (controls, spaces, backslashes, non-ASCII), an
 * upper-case scheme, a fragment (RFC 6749 §3.1.2), credentials (`user:pass@`), dot segments, and
 * schemes such as `javascript:`, `data:`, `ws:`, `ftp:`, `mailto:`, `urn:` or `localhost:`.
 *
 * @param uri the redirect URI as the client sent it.
 * @param rules whether the client is public.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2
 */
export function redirectUriProblem(uri: string, rules: RedirectUriRules = {}): string | undefined {
  if (!URI_CHARACTERS.test(uri)) return "must contain only URI characters (RFC 3986 §2): no spaces, control characters, backslashes or non-ASCII";
  if (BAD_PERCENT.test(uri)) return "must not contain a malformed percent-encoding";
  const scheme = SCHEME.exec(uri)?.[1];
  if (scheme === undefined) {
    return /^[a-z][a-z0-9+.-]*:/i.test(uri) ? "must write its scheme in lower case" : "must be an absolute URI";
  }
  if (uri.includes("#")) return "must not contain a fragment (RFC 6749 §3.1.2)";
  const url = parseUrl(uri);
  if (url === null) return "must be a valid URI";
  if (url.username !== "" || url.password !== "" || /^[^:]+:\/\/[^/?]*@/.test(uri)) return "must not contain credentials";
  if (DOT_SEGMENT.test(uri.slice(scheme.length + 1).split("?")[0]!)) return "must not contain dot segments";
  if (scheme === "https") {
    // "https:cb" and "https:/cb" parse (as https://cb/), but the string is what gets compared:
    // the authority must be written out.
    return /^https:\/\/[^/?]/.test(uri) ? undefined : "must be a valid https URI with a host";
  }
  if (scheme === "http") {
    return isLoopbackRedirectUri(uri)
      ? undefined
      : "must use https, except on a loopback host written 127.0.0.1, [::1] or localhost (RFC 8252 §7.3)";
  }
  if (DANGEROUS_SCHEMES.has(scheme)) return `must not use the ${scheme}: scheme`;
  if (!REVERSE_DOMAIN_SCHEME.test(scheme) && rules.privateUseSchemes?.includes(scheme) !== true) {
    return `must use https, loopback http, or a private-use scheme in reverse-domain form such as com.example.app: (RFC 8252 §7.1), not ${scheme}:`;
  }
  if (rules.publicClient !== true) return "may use a private-use scheme only for a public client (RFC 8252 §7.1, §8.4)";
  if (uri.length === scheme.length + 1) return "must have a path after its scheme";
  return undefined;
}

/**
 * Whether a requested redirect URI matches a registered one: the same string (RFC 6749 §3.1.2.3,
 * OAuth 2.1 §2.3.1), except that when the registered URI is a loopback one ({@link
 * isLoopbackRedirectUri}) the port may differ or be absent, because native apps listen on whatever
 * port the OS gives them (RFC 8252 §7.3). Scheme, host, path and query must still be identical
 * as written: no case folding, no IP-address or dot-segment normalisation.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function redirectUriMatches(requested: string, registered: string): boolean {
  if (requested === registered) return true;
  const expected = loopbackParts(registered);
  if (expected === undefined) return false;
  const actual = loopbackParts(requested);
  return actual !== undefined && actual.host === expected.host && actual.rest === expected.rest;
}

/**
 * The registered URI that `requested` matches ({@link redirectUriMatches}), or `undefined`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3
 */
export function findRegisteredRedirectUri(requested: string, registered: readonly string[]): string | undefined {
  return registered.find((candidate) => redirectUriMatches(requested, candidate));
}
