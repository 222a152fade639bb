/**
 * Scope strings (RFC 6749 §3.3): space-delimited, case-sensitive, order-free.
 *
 * @module
 */
import { OAuthError } from "../errors.js";

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Whether `value` is one scope token: printable ASCII without space, `"` or `\`.
 *
 * @param value - the candidate token.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/**
 * The `scope` parameter as it counts: `undefined` when absent, empty or only whitespace. RFC 6749
 * §3.3 has `scope = scope-token *( SP scope-token )`, at least one token, so a blank value is no
 * scope request at all — not a request for the empty scope, which would otherwise skip the
 * default scopes, or narrow a refreshed token down to nothing.
 *
 * @param raw - the parameter value, if sent.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function scopeParameter(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === "" ? undefined : raw;
}

/**
 * Splits a `scope` parameter into its distinct tokens.
 *
 * @throws {OAuthError} `invalid_scope` when a token has characters outside RFC 6749 §3.3.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return checkScopeTokens(scope.split(" ").filter((token) => token !== ""));
}

/**
 * Joins scope tokens into a `scope` parameter value.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function formatScope(scope: readonly string[]): string {
  return scope.join(" ");
}

/**
 * Whether every token of `requested` is in `allowed`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function isScopeSubset(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((token) => allowed.includes(token));
}

/** The server's side of what a requested scope is checked against (the resolved configuration fits). */
export interface ScopePolicy {
  /** Granted when the request has no `scope`. */
  defaultScopes: readonly string[];
  /** The server's scopes; `undefined`: any. */
  scopesSupported: readonly string[] | undefined;
}

/**
 * The scope of a new authorization: the `scope` parameter (or, when it is absent or blank, the
 * default scopes), which must be within the server's supported scopes and the client's registered
 * `scope` (space-delimited; `undefined`: any supported).
 *
 * @throws {OAuthError} `invalid_scope`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function resolveRequestedScope(raw: string | undefined, policy: ScopePolicy, clientScope: string | undefined): string[] {
  const sent = scopeParameter(raw);
  return checkRequestedScope(sent === undefined ? undefined : parseScope(sent), policy, clientScope);
}

/**
 * {@link resolveRequestedScope} for a scope already split into tokens: `undefined` (or no token)
 * means the default scopes.
 *
 * @throws {OAuthError} `invalid_scope`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function checkRequestedScope(requested: readonly string[] | undefined, policy: ScopePolicy, clientScope: string | undefined): string[] {
  const scope = requested === undefined || requested.length === 0 ? [...policy.defaultScopes] : checkScopeTokens(requested);
  if (policy.scopesSupported !== undefined && !isScopeSubset(scope, policy.scopesSupported)) {
    throw new OAuthError("invalid_scope", "The requested scope is not supported.");
  }
  if (clientScope !== undefined && !isScopeSubset(scope, parseScope(clientScope))) {
    throw new OAuthError("invalid_scope", "The requested scope exceeds what the client is registered for.");
  }
  return scope;
}

/**
 * The scope of a token requested from an existing grant: the requested scope if any, which may
 * only narrow the grant's scope (RFC 6749 §6: "MUST NOT include any scope not originally granted"),
 * else the grant's own.
 *
 * @param requested - the requested scope tokens; `undefined` or empty: the grant's scope.
 * @param granted - the grant's scope.
 * @throws {OAuthError} `invalid_scope`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function narrowScope(requested: readonly string[] | undefined, granted: readonly string[]): string[] {
  if (requested === undefined || requested.length === 0) return [...granted];
  const scope = checkScopeTokens(requested);
  if (!isScopeSubset(scope, granted)) {
    throw new OAuthError("invalid_scope", "The requested scope exceeds the scope of the grant.");
  }
  return scope;
}

/** Distinct tokens, each checked against RFC 6749 §3.3 (input may come from a host, not a parser). */
function checkScopeTokens(tokens: readonly string[]): string[] {
  for (const token of tokens) {
    if (typeof token !== "string" || !SCOPE_TOKEN.test(token)) throw new OAuthError("invalid_scope", "The scope contains invalid characters.");
  }
  return [...new Set(tokens)];
}
