/**
 * oauthkit: an OAuth 2.1 authorization server as small pieces on Web `Request`/`Response`.
 *
 * @module
 */
export { createAuthorizationServer } from "./server.js";
export type { AuthorizationServer, ProtectedRouteOptions } from "./server.js";
export type {
  AuthorizationServerConfig,
  AuthorizationServerStorage,
  EndpointPaths,
  GrantType,
  IntrospectionCredential,
  PkceConfig,
  PolicyConfig,
  RefreshTokenConfig,
  RegistrationStorageMethod,
  RegistrationConfig,
  RegistrationPolicy,
  RegistrationSource,
  ResolvedConfig,
  ResolvedPkceConfig,
  ResolvedRefreshTokenConfig,
  RoutingMode,
  ServerPolicy,
} from "./config.js";
export { resolvePolicy } from "./config.js";
export { OAuthError, isOAuthError } from "./errors.js";
export type { OAuthErrorCode, OAuthErrorOptions } from "./errors.js";

// Credentials
export { generateToken, generateId, hashToken, timingSafeEqualString, verifyTokenHash } from "./crypto.js";
export { hashTaggedToken, refreshFamilyHash } from "./token-format.js";
export type { TokenHasher, VerifyTokenHashOptions } from "./crypto.js";

// HTTP building blocks
export { parseFormBody, parseParameters } from "./http/form.js";
export type { FormParsingOptions, RequestParameters } from "./http/form.js";
export { errorResponse, jsonResponse } from "./http/response.js";
export type { ErrorReporter, JsonResponseOptions } from "./http/response.js";
export type { CorsConfig, CorsPolicy } from "./http/cors.js";

// Clients
export { authenticateClient, parseBasicCredentials } from "./clients/authenticate.js";
export type {
  AuthenticatedClient,
  BasicCredentials,
  ClientAuthenticationOptions,
  ClientLookup,
} from "./clients/authenticate.js";
export { isClientIdMetadataDocumentUrl } from "./clients/client-id-metadata-document.js";
export type { ClientIdMetadataDocumentConfig } from "./clients/client-id-metadata-document.js";
export { isPublicAddress } from "./clients/special-use-host.js";
export { findRegisteredRedirectUri, isLoopbackHost, isLoopbackRedirectUri, redirectUriMatches } from "./rules/redirect-uri.js";

// PKCE
export { checkCodeChallenge, isValidCodeChallenge, isValidCodeVerifier, verifyCodeVerifier, verifyPkce } from "./rules/pkce.js";
export type { CodeChallenge, CodeChallengeCheckOptions, CodeChallengeMethod, CodeVerification, PkcePolicy } from "./rules/pkce.js";

// Grants: functions of plain inputs and the storage methods they name
export { createAuthorizationCode, exchangeAuthorizationCode } from "./grants/authorization-code.js";
export type {
  AuthorizationCodeExchange,
  AuthorizationCodeExchangeStorage,
  AuthorizationCodeInput,
  IssuedAuthorizationCode,
} from "./grants/authorization-code.js";
export { refreshAccessToken } from "./grants/refresh-token.js";
export type { RefreshRequest, RefreshStorage } from "./grants/refresh-token.js";
export { issueClientCredentialsToken } from "./grants/client-credentials.js";
export type { ClientCredentialsRequest } from "./grants/client-credentials.js";
export type { GrantDependencies, IssuedTokens } from "./grants/issue.js";
export { revokeToken } from "./grants/revoke-token.js";
export type { RevocationInput, RevocationOutcome, RevocationStorage } from "./grants/revoke-token.js";
export { introspectToken } from "./grants/introspect-token.js";
export type { IntrospectionCaller, IntrospectionInput, IntrospectionResponse } from "./grants/introspect-token.js";
export type { TokenLookupStorage } from "./grants/find-token.js";

// Endpoints without Web objects, and the token response
export { processTokenRequest } from "./endpoints/token.js";
export type { TokenEndpointStorage } from "./endpoints/token.js";
export { processRevocationRequest } from "./endpoints/revocation.js";
export { processIntrospectionRequest } from "./endpoints/introspection.js";
export type { EndpointContext, EndpointRequest, EndpointRequestHeaders, EndpointResult, FormEntries } from "./endpoints/exchange.js";
export { tokenResponse } from "./endpoints/web.js";

// Scope
export { formatScope, isScopeSubset, parseScope } from "./rules/scope.js";

// Authorization endpoint
export type { AuthorizationRequest, ClientInfo } from "./authorize/request.js";
export type { AuthorizationApproval, AuthorizationDenial } from "./authorize/response.js";

// Grant and consent management
export { hasRememberedConsent, listSubjectGrants, revokeClientGrants, revokeSubjectGrant } from "./management/grants.js";
export type { ConsentQuery, GrantManagementDeps, GrantSummary, SubjectClientReference, SubjectGrantReference } from "./management/grants.js";

// Registration
export { CLIENT_METADATA_LIMITS, DEFAULT_REGISTRATION_GRANT_TYPES, validateClientMetadata } from "./rules/client-metadata.js";
export type { ClientMetadata, ClientMetadataRules, ClientMetadataValidationOptions } from "./rules/client-metadata.js";
export { redirectUriProblem } from "./rules/redirect-uri.js";
export type { RedirectUriRules } from "./rules/redirect-uri.js";
export type { ClientInformationResponse, RegisteredClient } from "./registration/register.js";

// Metadata
export {
  authorizationServerMetadataUrl,
  buildAuthorizationServerMetadata,
  openIdConfigurationUrls,
} from "./discovery/authorization-server.js";
export type { AuthorizationServerMetadata } from "./discovery/authorization-server.js";
export { buildProtectedResourceMetadata, protectedResourceMetadataUrl } from "./discovery/protected-resource.js";
export type { ProtectedResourceMetadata, ProtectedResourceMetadataInput } from "./discovery/protected-resource.js";

// Resource servers
export { validateBearerAuthorization, validateBearerToken } from "./resource/bearer.js";
export type { BearerChallenge, BearerTokenInfo, BearerValidationOptions } from "./resource/bearer.js";

// Storage
export type * from "./storage/types.js";
export { GRANT_TOMBSTONE_DEFAULT_SECONDS } from "./storage/types.js";
export { createMemoryStorage } from "./storage/memory.js";
export type { MemoryStorage, MemoryStorageOptions } from "./storage/memory.js";

// Events and rate limiting
export type {
  AuthorizationCodeIssuedEvent,
  AuthorizationCodeRedeemedEvent,
  AuthorizationCodeReplayedEvent,
  ClientAuthenticationFailedEvent,
  ClientChangedEvent,
  ClientMetadataDocumentFetchedEvent,
  ClientMetadataDocumentRefusedEvent,
  EmitEvent,
  GrantEventIds,
  OAuthEvent,
  OAuthEventBase,
  OAuthEventInput,
  OAuthEventListener,
  OAuthEventType,
  RefreshTokenReusedEvent,
  RefreshTokenRotatedEvent,
  TokensRevokedEvent,
} from "./events.js";
export type { RateLimitHook, RateLimitInput, RateLimitRefusal, RateLimitedEndpoint } from "./rate-limit.js";
// Sealed props and federation (docs/federation.md)
export { createSealer } from "./sealing.js";
export type { Sealer, SealingKey } from "./sealing.js";
export type { PropsConfig } from "./props.js";
export type { TokenHook, TokenHookInput, TokenHookResult } from "./grants/token-hook.js";
export { UpstreamError, createFederation, fetchUpstreamUserinfoSubject } from "./federation/index.js";
export type {
  Federation,
  FederationConfig,
  IdTokenClaims,
  UpstreamConfig,
  UpstreamEndpoints,
  UpstreamIdentity,
  UpstreamIdentitySource,
  UpstreamSignIn,
  UpstreamTokenResponse,
  UpstreamTokens,
} from "./federation/index.js";
