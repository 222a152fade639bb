/**
 * Client metadata (RFC 7591 §2): validation with defaults and consistency checks.
 *
 * @module
 */
import { z } from "zod";
import { redirectUriProblem } from "../clients/redirect-uri.js";
import type { GrantType, ResolvedConfig } from "../config.js";
import { OAuthError } from "../errors.js";
import { formatScope, isScopeSubset, parseScope } from "../rules/scope.js";
import type { ClientAuthenticationMethod } from "../storage/types.js";

/**
 * Registered client metadata as oauthkit keeps it: RFC 7591 §2 names, defaults applied.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export interface ClientMetadata {
  /** Redirect URIs, compared exactly (loopback ports excepted, RFC 8252 §7.3). */
  redirect_uris: string[];
  /** How the client authenticates at the token endpoint; `none` for public clients (RFC 7591 §2). */
  token_endpoint_auth_method: ClientAuthenticationMethod;
  /** Grant types the client may use (RFC 7591 §2). */
  grant_types: string[];
  /** Response types the client may use; `code` only (RFC 7591 §2). */
  response_types: string[];
  /** Name shown on the consent page; chosen by the client, so not proof of identity. */
  client_name?: string;
  /** The client's home page (RFC 7591 §2). */
  client_uri?: string;
  /** The client's logo (RFC 7591 §2). */
  logo_uri?: string;
  /** Scopes the client may request, space-separated (RFC 7591 §2). */
  scope?: string;
  /** People responsible for the client, usually e-mail addresses (RFC 7591 §2). */
  contacts?: string[];
  /** The client's terms of service (RFC 7591 §2). */
  tos_uri?: string;
  /** The client's privacy policy (RFC 7591 §2). */
  policy_uri?: string;
  /** Identifies the client software across its registrations (RFC 7591 §2). */
  software_id?: string;
  /** The version of the client software (RFC 7591 §2). */
  software_version?: string;
}

/**
 * The bounds on registered client metadata, so that one registration (or one metadata document)
 * cannot fill the store or every consent page: lengths are in UTF-16 code units as JSON carries
 * them, counts are entries of the array as sent. Anything beyond is `invalid_client_metadata`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export const CLIENT_METADATA_LIMITS = {
  /** Longest `scope` string, as sent. */
  scopeLength: 1000,
  /** Most distinct values in `scope`. */
  scopeValues: 100,
  /** Longest `client_name`. */
  clientNameLength: 200,
  /** Longest URI: each of `redirect_uris`, `client_uri`, `logo_uri`, `tos_uri`, `policy_uri`. */
  uriLength: 2000,
  /** Most `redirect_uris`. */
  redirectUris: 20,
  /** Most `contacts`. */
  contacts: 10,
  /** Longest contact (an e-mail address is at most 320 characters, RFC 3696 §3). */
  contactLength: 320,
  /** Most entries in `grant_types` (each must also be a grant type the server supports). */
  grantTypes: 10,
  /** Most entries in `response_types` (each must also be `code`). */
  responseTypes: 10,
  /** Longest `software_id` and `software_version`. */
  softwareLength: 200,
} as const;

const LIMITS = CLIENT_METADATA_LIMITS;

const httpUrl = z
  .string()
  .max(LIMITS.uriLength, `must be at most ${LIMITS.uriLength} characters`)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

const bounded = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, `must have at most ${max} entries`);

// Unknown fields are ignored (RFC 7591 §2: "The authorization server MUST ignore any client
// metadata sent by the client that it does not understand").
const schema = z.object({
  redirect_uris: list(bounded(LIMITS.uriLength), LIMITS.redirectUris).optional(),
  token_endpoint_auth_method: bounded(100).optional(),
  grant_types: list(bounded(100), LIMITS.grantTypes).optional(),
  response_types: list(bounded(100), LIMITS.responseTypes).optional(),
  client_name: bounded(LIMITS.clientNameLength).optional(),
  client_uri: httpUrl.optional(),
  logo_uri: httpUrl.optional(),
  scope: bounded(LIMITS.scopeLength).optional(),
  contacts: list(bounded(LIMITS.contactLength), LIMITS.contacts).optional(),
  tos_uri: httpUrl.optional(),
  policy_uri: httpUrl.optional(),
  software_id: bounded(LIMITS.softwareLength).optional(),
  software_version: bounded(LIMITS.softwareLength).optional(),
});

/** Options of {@link validateClientMetadata}. */
export interface ClientMetadataValidationOptions {
  /**
   * The grant types this metadata may name. Default: `registration.allowedGrantTypes` of the
   * configuration, or, with registration off, `authorization_code` and `refresh_token` (those the
   * server supports) — `client_credentials`, which issues tokens without a user, only when a host
   * opts in.
   */
  allowedGrantTypes?: readonly string[];
}

/** What dynamically registered clients may use unless the host says otherwise. */
export const DEFAULT_REGISTRATION_GRANT_TYPES: readonly GrantType[] = ["authorization_code", "refresh_token"];

const invalid = (description: string) => new OAuthError("invalid_client_metadata", description);

/**
 * Validates client metadata against RFC 7591 §2 and this server's configuration, applying the §2
 * defaults (`token_endpoint_auth_method` `client_secret_basic`, `grant_types`
 * `["authorization_code"]`, `response_types` `["code"]`), within {@link CLIENT_METADATA_LIMITS}.
 * The `scope` is stored normalised: single spaces, each value once.
 *
 * @param options which grant types the metadata may name (default: the registration's).
 * @throws {OAuthError} `invalid_redirect_uri` for a redirect URI that may not be registered;
 *   `invalid_client_metadata` for anything else (wrong types, values over a bound, unsupported or
 *   not allowed grant types or methods, grant and response types that do not match, RFC 7591 §2.1).
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function validateClientMetadata(input: unknown, config: ResolvedConfig, options: ClientMetadataValidationOptions = {}): ClientMetadata {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw invalid("The client metadata must be a JSON object.");
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`Invalid client metadata${issue ? ` at ${issue.path.join(".") || "root"}: ${issue.message}` : ""}.`);
  }
  const raw = parsed.data;

  const method = (raw.token_endpoint_auth_method ?? "client_secret_basic") as ClientAuthenticationMethod;
  if (!config.clientAuthenticationMethods.includes(method)) {
    throw invalid(`Unsupported token_endpoint_auth_method; supported: ${config.clientAuthenticationMethods.join(", ")}.`);
  }
  const grantTypes = unique(raw.grant_types ?? ["authorization_code"]);
  const responseTypes = unique(raw.response_types ?? ["code"]);
  const allowed =
    options.allowedGrantTypes ??
    config.registration?.allowedGrantTypes ??
    DEFAULT_REGISTRATION_GRANT_TYPES.filter((grant) => config.grantTypes.includes(grant));
  for (const grant of grantTypes) {
    if (!(config.grantTypes as readonly string[]).includes(grant)) throw invalid(`Unsupported grant type: ${grant}.`);
    if (!allowed.includes(grant)) {
      // client_credentials tokens act without a user: open registration must not hand them out
      // to whoever asks, so it takes the host's explicit opt-in.
      const why = grant === "client_credentials" ? " It issues tokens without a user, so the server must allow it explicitly (registration.allowedGrantTypes)." : "";
      throw invalid(`The ${grant} grant is not available to self-registered clients on this server (allowed: ${allowed.join(", ") || "none"}).${why}`);
    }
  }
  for (const type of responseTypes) {
    if (type !== "code") throw invalid(`Unsupported response type: ${type}.`);
  }
  // RFC 7591 §2.1: the code grant goes with the code response type, and only with it.
  const codeFlow = grantTypes.includes("authorization_code");
  if (codeFlow !== responseTypes.includes("code")) {
    throw invalid("grant_types authorization_code and response_types code must be registered together (RFC 7591 §2.1).");
  }
  if (grantTypes.includes("refresh_token") && !codeFlow) {
    throw invalid("The refresh_token grant is only issued with authorization_code.");
  }
  if (grantTypes.includes("client_credentials") && method === "none") {
    throw invalid("Public clients cannot use client_credentials (RFC 6749 §4.4).");
  }

  const redirectUris = unique(raw.redirect_uris ?? []);
  if (codeFlow && redirectUris.length === 0) {
    throw new OAuthError("invalid_redirect_uri", "At least one redirect URI is required for the authorization code flow.");
  }
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri, {
      publicClient: method === "none",
      privateUseSchemes: config.registration?.privateUseSchemes ?? [],
    });
    if (problem !== undefined) throw new OAuthError("invalid_redirect_uri", `The redirect URI ${problem}.`);
  }

  let scope: string | undefined;
  if (raw.scope !== undefined) {
    const values = parseScopeOr(raw.scope);
    if (values.length > LIMITS.scopeValues) throw invalid(`The scope must have at most ${LIMITS.scopeValues} distinct values.`);
    if (config.scopesSupported !== undefined && !isScopeSubset(values, config.scopesSupported)) {
      throw invalid("The scope includes values this server does not support.");
    }
    scope = formatScope(values);
  }

  const metadata: ClientMetadata = {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    response_types: responseTypes,
  };
  for (const key of ["client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id", "software_version"] as const) {
    const value = raw[key];
    if (value !== undefined) metadata[key] = value;
  }
  if (scope !== undefined) metadata.scope = scope;
  if (raw.contacts !== undefined) metadata.contacts = raw.contacts;
  return metadata;
}

function parseScopeOr(scope: string): string[] {
  try {
    return parseScope(scope);
  } catch {
    throw invalid("The scope contains invalid characters (RFC 6749 §3.3).");
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
