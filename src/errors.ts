/**
 * The one error type of oauthkit's wire protocol.
 *
 * Every failure that a client is meant to see is an {@link OAuthError} whose `error` is one of the
 * codes registered by the OAuth RFCs, so callers branch on `err.error` (a narrowing union), never
 * on message text. Programmer mistakes (bad configuration) are `TypeError`s instead.
 *
 * @module
 */

/**
 * Error codes of the token endpoint and the authorization endpoint.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export type OAuthErrorCode =
  // RFC 6749 §5.2 (token endpoint)
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  // RFC 6749 §4.1.2.1 (authorization endpoint)
  | "access_denied"
  | "unsupported_response_type"
  | "server_error"
  | "temporarily_unavailable"
  // RFC 6750 §3.1 (protected resources)
  | "invalid_token"
  | "insufficient_scope"
  // RFC 7009 §2.2.1 (revocation)
  | "unsupported_token_type"
  // RFC 7591 §3.2.2 (dynamic client registration)
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "invalid_software_statement"
  | "unapproved_software_statement"
  // RFC 8707 §2 (resource indicators)
  | "invalid_target";

/** Options of the {@link OAuthError} constructor. */
export interface OAuthErrorOptions {
  /** HTTP status of the error response; defaults from the code (RFC 6749 §5.2). */
  status?: number;
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Record<string, string>;
  /** The internal cause, for logs only; never serialised. */
  cause?: unknown;
}

const DEFAULT_STATUS: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  access_denied: 403,
  server_error: 500,
  temporarily_unavailable: 503,
};

/**
 * An OAuth protocol error: an RFC error code, a human-readable description that is safe to send
 * to the client, and the HTTP status that goes with it.
 *
 * The description must never contain a token, code or secret: it is sent on the wire.
 *
 * @example
 * ```ts
 * throw new OAuthError("invalid_grant", "The authorization code has expired.");
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class OAuthError extends Error {
  /** The RFC error code, sent as `error`. */
  readonly error: OAuthErrorCode;
  /** Sent as `error_description`. */
  readonly description: string;
  /** The HTTP status of the error response. */
  readonly status: number;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  constructor(error: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(`${error}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OAuthError";
    this.error = error;
    this.description = description;
    this.status = options.status ?? DEFAULT_STATUS[error] ?? 400;
    this.headers = options.headers ?? {};
  }

  /** The JSON body of the error response (RFC 6749 §5.2). */
  toJSON(): {
    /** The error code. */
    error: OAuthErrorCode;
    /** The description, safe to send. */
    error_description: string;
  } {
    return { error: this.error, error_description: this.description };
  }
}

/**
 * Type guard for {@link OAuthError}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function isOAuthError(value: unknown): value is OAuthError {
  return value instanceof OAuthError;
}
