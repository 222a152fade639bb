/**
 * Authorization server metadata (RFC 8414), computed from the same policy the handlers enforce,
 * so it cannot advertise a grant, method or PKCE mode they refuse.
 *
 * @module
 */
import type { ServerPolicy } from "../policy.js";
import { wellKnownUrl } from "../http/well-known.js";

/**
 * The RFC 8414 §2 metadata document, with the field names of the RFC.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export interface AuthorizationServerMetadata {
  /** The issuer identifier, exactly as configured (RFC 8414 §2). */
  issuer: string;
  /** URL of the authorization endpoint (RFC 6749 §3.1). */
  authorization_endpoint: string;
  /** URL of the token endpoint (RFC 6749 §3.2). */
  token_endpoint: string;
  /** `["code"]`: the authorization code flow only. */
  response_types_supported: string[];
  /** `["query"]`. */
  response_modes_supported: string[];
  /** The configured `grantTypes`. */
  grant_types_supported: string[];
  /** The configured `clientAuthenticationMethods`. */
  token_endpoint_auth_methods_supported: string[];
  /** The configured PKCE methods (RFC 7636). */
  code_challenge_methods_supported: string[];
  /** The configured `scopesSupported`, when set. */
  scopes_supported?: string[];
  /** URL of the revocation endpoint (RFC 7009), when on. */
  revocation_endpoint?: string;
  /** Client authentication methods accepted there. */
  revocation_endpoint_auth_methods_supported?: string[];
  /** URL of the introspection endpoint (RFC 7662), when on. */
  introspection_endpoint?: string;
  /** Authentication methods accepted there (never `none`). */
  introspection_endpoint_auth_methods_supported?: string[];
  /** URL of the registration endpoint (RFC 7591), when on. */
  registration_endpoint?: string;
  /** RFC 9207 §3: every authorization response carries `iss`. */
  authorization_response_iss_parameter_supported: boolean;
  /** draft-ietf-oauth-client-id-metadata-document: `client_id` may be a metadata document URL. */
  client_id_metadata_document_supported?: boolean;
  [extension: string]: unknown;
}

/**
 * Builds the metadata document from a server policy: no storage is read, so it can be computed
 * (and published) anywhere the policy is known.
 *
 * @param policy - `resolvePolicy(...)`, or a server's `config`.
 * @example
 * ```ts
 * const metadata = buildAuthorizationServerMetadata(resolvePolicy({ issuer: "https://auth.example.com" }));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function buildAuthorizationServerMetadata(policy: ServerPolicy): AuthorizationServerMetadata {
  const config = policy;
  const { endpoints } = config;
  const metadata: AuthorizationServerMetadata = {
    issuer: config.issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [...config.grantTypes],
    token_endpoint_auth_methods_supported: [...config.clientAuthenticationMethods],
    code_challenge_methods_supported: [...config.pkce.methods],
    authorization_response_iss_parameter_supported: true,
  };
  if (config.scopesSupported !== undefined) metadata.scopes_supported = [...config.scopesSupported];
  if (endpoints.revocation !== undefined) {
    metadata.revocation_endpoint = endpoints.revocation;
    metadata.revocation_endpoint_auth_methods_supported = [...config.clientAuthenticationMethods];
  }
  if (endpoints.introspection !== undefined) {
    metadata.introspection_endpoint = endpoints.introspection;
    // Introspection needs a real credential: `none` is never accepted there.
    const methods = config.clientAuthenticationMethods.filter((method) => method !== "none");
    if (config.introspectionCredentials.length > 0 && !methods.includes("client_secret_basic")) methods.push("client_secret_basic");
    metadata.introspection_endpoint_auth_methods_supported = methods;
  }
  if (endpoints.registration !== undefined) metadata.registration_endpoint = endpoints.registration;
  if (config.clientIdMetadataDocumentsSupported) metadata.client_id_metadata_document_supported = true;
  return metadata;
}

/**
 * Where the metadata of `issuer` is published: `/.well-known/oauth-authorization-server`, inserted
 * before the issuer's path if it has one (RFC 8414 §3.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 */
export function authorizationServerMetadataUrl(issuer: string): string {
  return wellKnownUrl(issuer, "oauth-authorization-server");
}
