/**
 * oauthkit: an OAuth 2.1 authorization server as small pieces on Web `Request`/`Response`.
 *
 * @module
 */
export { createAuthorizationServer } from "./server.js";
export type { AuthorizationServer, ProtectedRouteOptions } from "./server.js";
export type {
  AuthorizationServerConfig,
  EndpointPaths,
  GrantType,
  IntrospectionCredential,
  PkceConfig,
  RefreshTokenConfig,
  RegistrationConfig,
  RegistrationPolicy,
  RegistrationSource,
  ResolvedConfig,
  ResolvedRefreshTokenConfig,
  RoutingMode,
} from "./config.js";
export { OAuthError, isOAuthError } from "./errors.js";
export type { OAuthErrorCode, OAuthErrorOptions } from "./errors.js";

// Credentials
export { generateToken, generateId, hashToken, timingSafeEqualString, verifyTokenHash } from "./crypto.js";

// HTTP building blocks
export { parseFormBody, parseParameters } from "./http/form.js";
export type { FormParsingOptions, RequestParameters } from "./http/form.js";
export { errorResponse, jsonResponse } from "./http/response.js";
export type { ErrorReporter, JsonResponseOptions } from "./http/response.js";

// Clients
export { authenticateClient, parseBasicCredentials } from "./clients/authenticate.js";
export type {
  AuthenticatedClient,
  BasicCredentials,
  ClientAuthenticationOptions,
  ClientLookup,
} from "./clients/authenticate.js";
export { isClientIdMetadataDocumentUrl } from "./clients/metadata-document.js";
export type { ClientIdMetadataDocumentConfig } from "./clients/metadata-document.js";
export { isPublicAddress } from "./clients/special-use-host.js";
export { findRegisteredRedirectUri, isLoopbackHost, isLoopbackRedirectUri, redirectUriMatches } from "./clients/redirect-uri.js";

// PKCE
export { isValidCodeChallenge, isValidCodeVerifier, verifyCodeVerifier } from "./pkce.js";
export type { CodeChallengeMethod, CodeVerification } from "./pkce.js";

// Scope
export { formatScope, isScopeSubset, parseScope } from "./scope.js";

// Authorization endpoint
export type { AuthorizationRequest, ClientInfo } from "./authorize/request.js";
export type { AuthorizationApproval, AuthorizationDenial } from "./authorize/response.js";

// Grant and consent management
export { hasRememberedConsent, listSubjectGrants, revokeClientGrants, revokeSubjectGrant } from "./management/grants.js";
export type { ConsentQuery, GrantManagementDeps, GrantSummary, SubjectClientReference, SubjectGrantReference } from "./management/grants.js";

// Registration
export { CLIENT_METADATA_LIMITS, DEFAULT_REGISTRATION_GRANT_TYPES, validateClientMetadata } from "./registration/metadata.js";
export type { ClientMetadata, ClientMetadataValidationOptions } from "./registration/metadata.js";
export { redirectUriProblem } from "./clients/redirect-uri.js";
export type { RedirectUriRules } from "./clients/redirect-uri.js";
export type { ClientInformationResponse, RegisteredClient } from "./registration/register.js";

// Metadata
export { authorizationServerMetadataUrl, buildAuthorizationServerMetadata } from "./metadata.js";
export type { AuthorizationServerMetadata } from "./metadata.js";
export { buildProtectedResourceMetadata, protectedResourceMetadataUrl } from "./resource/metadata.js";
export type { ProtectedResourceMetadata, ProtectedResourceMetadataInput } from "./resource/metadata.js";

// Resource servers
export { validateBearerToken } from "./resource/bearer.js";
export type { BearerTokenInfo, BearerValidationOptions } from "./resource/bearer.js";

// Storage
export type * from "./storage/types.js";
export { GRANT_TOMBSTONE_DEFAULT_SECONDS } from "./storage/types.js";
export { createMemoryStorage } from "./storage/memory.js";
export type { MemoryStorage, MemoryStorageOptions } from "./storage/memory.js";
