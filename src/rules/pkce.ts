/**
 * Proof Key for Code Exchange (RFC 7636), both ends in one place: what the authorization request
 * must carry ({@link checkCodeChallenge}) and what the token request must prove
 * ({@link verifyPkce}). OAuth 2.1 §4.1.1 and RFC 9700 §2.1.1 decide the policy; the grammar and the
 * transformations are RFC 7636's.
 *
 * @module
 */
import { hashToken, timingSafeEqualString } from "../crypto.js";
import { OAuthError } from "../errors.js";

/** A PKCE transformation (RFC 7636 §4.2). `plain` is accepted only where explicitly enabled. */
export type CodeChallengeMethod = "S256" | "plain";

// RFC 7636 §4.1: code-verifier = 43*128unreserved; unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
// RFC 7636 §4.2: S256 challenge = BASE64URL(SHA256(verifier)): always 43 characters, no padding.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether `verifier` follows the `code_verifier` grammar: 43 to 128 unreserved characters.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function isValidCodeVerifier(verifier: string): boolean {
  return CODE_VERIFIER.test(verifier);
}

/**
 * Whether `challenge` is a well-formed `code_challenge` for `method`: for `S256` the 43-character
 * base64url of a SHA-256 digest; for `plain` a valid verifier.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function isValidCodeChallenge(challenge: string, method: CodeChallengeMethod): boolean {
  return method === "S256" ? S256_CHALLENGE.test(challenge) : CODE_VERIFIER.test(challenge);
}

/** The input of {@link verifyCodeVerifier}. */
export interface CodeVerification {
  /** The `code_verifier` sent to the token endpoint. */
  verifier: string;
  /** The `code_challenge` stored with the code. */
  challenge: string;
  /** The method the verifier was checked with. */
  method: CodeChallengeMethod;
}

/**
 * Verifies a `code_verifier` against the stored `code_challenge` (RFC 7636 §4.6), in constant
 * time. A verifier outside the §4.1 grammar never verifies.
 *
 * @example
 * ```ts
 * verifyCodeVerifier({ verifier, challenge: code.codeChallenge, method: "S256" }); // true or false
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
export function verifyCodeVerifier({ verifier, challenge, method }: CodeVerification): boolean {
  if (!isValidCodeVerifier(verifier)) return false;
  // The S256 transform, BASE64URL(SHA256(ASCII(verifier))), is exactly hashToken on this alphabet.
  const derived = method === "S256" ? hashToken(verifier) : verifier;
  return timingSafeEqualString(derived, challenge);
}

/** The PKCE part of the policy that {@link checkCodeChallenge} reads (a `ServerPolicy` fits). */
export interface PkcePolicy {
  /** PKCE settings with defaults applied. */
  pkce: {
    /** Who must send a `code_challenge`: every client (OAuth 2.1) or public clients only. */
    required: "all-clients" | "public-clients";
    /** Accepted methods; `S256` always among them. */
    methods: readonly CodeChallengeMethod[];
  };
}

/** Options of {@link checkCodeChallenge}. */
export interface CodeChallengeCheckOptions {
  /** The server policy (only its `pkce` part is read). */
  policy: PkcePolicy;
  /** Whether the client is public (`token_endpoint_auth_method` `none`): they always need PKCE. */
  publicClient: boolean;
}

/** A checked PKCE challenge, to store with the authorization code (RFC 7636 §4.4). */
export interface CodeChallenge {
  /** The `code_challenge`. */
  challenge: string;
  /** Its method. */
  method: CodeChallengeMethod;
}

/**
 * Checks the PKCE parameters of an authorization request against the policy: a challenge is
 * required of every client (OAuth 2.1 §4.1.1, the default) or of public clients only; an absent
 * method means `plain` (RFC 7636 §4.3), which is refused unless enabled; the challenge must be
 * well formed (§4.2).
 *
 * @param params - the `code_challenge` and `code_challenge_method` parameters as sent.
 * @param options - the policy and whether the client is public.
 * @returns the challenge to bind to the code, or `undefined` when none was sent and none is required.
 * @throws {OAuthError} `invalid_request` when a required challenge is missing, the method is
 *   unsupported, a method comes without a challenge, or the challenge is malformed.
 * @example
 * ```ts
 * const pkce = checkCodeChallenge(
 *   { code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" },
 *   { policy, publicClient: true },
 * );
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
export function checkCodeChallenge(
  params: { code_challenge?: string | undefined; code_challenge_method?: string | undefined },
  options: CodeChallengeCheckOptions,
): CodeChallenge | undefined {
  const challenge = params.code_challenge;
  const rawMethod = params.code_challenge_method;
  const { pkce } = options.policy;
  if (challenge === undefined) {
    if (rawMethod !== undefined) throw new OAuthError("invalid_request", "code_challenge_method was sent without code_challenge.");
    // OAuth 2.1 §4.1.1: PKCE for every client by default; configurable to public clients only.
    if (pkce.required === "all-clients" || options.publicClient) {
      throw new OAuthError("invalid_request", "A PKCE code_challenge is required (RFC 7636).");
    }
    return undefined;
  }
  // RFC 7636 §4.3: an absent method means "plain", which is off unless configured.
  const method = rawMethod ?? "plain";
  if ((method !== "S256" && method !== "plain") || !pkce.methods.includes(method)) {
    throw new OAuthError("invalid_request", `Unsupported code_challenge_method; use ${pkce.methods.join(" or ")}.`);
  }
  if (!isValidCodeChallenge(challenge, method)) {
    throw new OAuthError("invalid_request", "The code_challenge is malformed (RFC 7636 §4.2).");
  }
  return { challenge, method };
}

/**
 * Checks the `code_verifier` of a token request against the challenge bound to the code
 * (RFC 7636 §4.6). A code with a challenge needs a matching verifier; a code without one refuses
 * any verifier (RFC 9700 §2.1.1: otherwise an attacker who injected a code obtained without PKCE
 * could pass the PKCE check of a client that uses it — a downgrade).
 *
 * @param bound - the challenge stored with the code (`codeChallenge`/`codeChallengeMethod` of an
 *   `AuthorizationCodeRecord`).
 * @param codeVerifier - the `code_verifier` parameter, if sent.
 * @throws {OAuthError} `invalid_grant` when the verifier is missing, does not match, is outside the
 *   RFC 7636 §4.1 grammar, or is sent for a code issued without a challenge.
 * @throws {TypeError} when `bound` has a challenge but no (or an unknown) method: a broken record,
 *   never silently treated as "no PKCE".
 * @example
 * ```ts
 * verifyPkce(
 *   { codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", codeChallengeMethod: "S256" },
 *   "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
 * ); // returns; throws OAuthError("invalid_grant") otherwise
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
export function verifyPkce(
  bound: { codeChallenge?: string | undefined; codeChallengeMethod?: CodeChallengeMethod | undefined },
  codeVerifier: string | undefined,
): void {
  const { codeChallenge: challenge, codeChallengeMethod: method } = bound;
  if (challenge === undefined) {
    if (codeVerifier !== undefined) {
      throw new OAuthError("invalid_grant", "A code_verifier was sent, but the authorization request had no code_challenge.");
    }
    return;
  }
  // A challenge without its method is a broken record (codes store both or neither): refusing it
  // as a programmer error is safer than guessing a method, or skipping the check.
  if (method !== "S256" && method !== "plain") throw new TypeError("verifyPkce: codeChallenge needs its codeChallengeMethod (S256 or plain).");
  if (codeVerifier === undefined) throw new OAuthError("invalid_grant", "The code_verifier parameter is required (RFC 7636).");
  if (!verifyCodeVerifier({ verifier: codeVerifier, challenge, method })) {
    throw new OAuthError("invalid_grant", "The code_verifier does not match the code_challenge.");
  }
}
