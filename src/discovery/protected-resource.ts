/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): the document a resource server publishes so
 * that clients find the authorization servers that issue its tokens.
 *
 * @module
 */
import { wellKnownUrl } from "../http/well-known.js";

/**
 * The RFC 9728 §2 metadata document of a protected resource.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 */
export interface ProtectedResourceMetadata {
  /** The resource identifier (RFC 9728 §2). */
  resource: string;
  /** Issuers of the authorization servers that issue tokens for it. */
  authorization_servers: string[];
  /** `["header"]`: tokens in the `Authorization` header only (RFC 6750 §2.1). */
  bearer_methods_supported: string[];
  /** Scopes a token for it may carry. */
  scopes_supported?: string[];
  /** A name for people. */
  resource_name?: string;
  /** URL of the resource's documentation. */
  resource_documentation?: string;
  [extension: string]: unknown;
}

/** Input of {@link buildProtectedResourceMetadata}. */
export interface ProtectedResourceMetadataInput {
  /** The resource identifier (the RFC 8707 `resource` value clients send), e.g. `https://api.example.com/mcp`. */
  resource: string;
  /** Issuers of the authorization servers that issue tokens for it. */
  authorizationServers: readonly string[];
  /** Advertised as `scopes_supported`. */
  scopesSupported?: readonly string[];
  /** Advertised as `resource_name`. */
  resourceName?: string;
  /** Advertised as `resource_documentation`. */
  resourceDocumentation?: string;
}

/**
 * Builds the metadata of a protected resource. Bearer tokens are accepted in the `Authorization`
 * header only (OAuth 2.1 §5.2 drops the query and form methods).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 */
export function buildProtectedResourceMetadata(input: ProtectedResourceMetadataInput): ProtectedResourceMetadata {
  const metadata: ProtectedResourceMetadata = {
    resource: input.resource,
    authorization_servers: [...input.authorizationServers],
    bearer_methods_supported: ["header"],
  };
  if (input.scopesSupported !== undefined) metadata.scopes_supported = [...input.scopesSupported];
  if (input.resourceName !== undefined) metadata.resource_name = input.resourceName;
  if (input.resourceDocumentation !== undefined) metadata.resource_documentation = input.resourceDocumentation;
  return metadata;
}

/**
 * Where the metadata of `resource` is published: `/.well-known/oauth-protected-resource` inserted
 * before the resource's path, e.g. `https://example.com/.well-known/oauth-protected-resource/mcp`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 */
export function protectedResourceMetadataUrl(resource: string): string {
  return wellKnownUrl(resource, "oauth-protected-resource");
}
