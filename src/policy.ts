/**
 * The server policy: every protocol decision of the configuration, with its defaults applied, as
 * plain data — no storage, no clock, no callbacks. Grants, protocol rules, endpoints and the
 * metadata builder read it; `resolvePolicy` (in the configuration module, above all of them)
 * makes it. This module holds types only, so that nothing below the endpoints depends on how a
 * configuration is resolved.
 *
 * @module
 */
import type { CodeChallengeMethod } from "./rules/pkce.js";
import type { ClientAuthenticationMethod, GrantType } from "./storage/types.js";

export type { GrantType } from "./storage/types.js";

/** How `handleRequest` matches requests to endpoints; see `AuthorizationServerConfig.routing`. */
export type RoutingMode = "issuer-origin" | "path";

/** A resource server allowed to call the introspection endpoint (RFC 7662 §2.1). */
export interface IntrospectionCredential {
  /** The id it sends as the Basic user name. */
  id: string;
  /** `hashToken(secret)`: the secret itself is never configured in clear. */
  secretHash: string;
  /** If set, it may introspect only tokens whose audience includes this resource. */
  resource?: string;
}

/** The refresh-token policy with every default applied; the rotation secrets decoded, newest first. */
export interface ResolvedRefreshTokenConfig {
  /** When a refresh token is issued: `always`, or only when `offline_access` is granted. */
  issue: "always" | "offline_access";
  /** Which clients get a new refresh token on every use (RFC 9700 §4.14.2, OAuth 2.1 §4.3.1). */
  rotation: "always" | "public-clients";
  /** Seconds a refresh token lives unused. */
  idleLifetime: number;
  /** Seconds a grant lives at most, however often it is refreshed. */
  absoluteLifetime: number;
  /** Seconds during which the token just rotated out gets the same successor again (0: off). */
  gracePeriod: number;
  /** `rotationSecret` decoded, newest first (empty when none is configured; used only with a grace window). */
  rotationKeys: readonly Uint8Array[];
}

/** The PKCE policy with its defaults applied (RFC 7636, OAuth 2.1 §4.1.1). */
export interface ResolvedPkceConfig {
  /** Which clients must send a `code_challenge`. */
  required: "all-clients" | "public-clients";
  /** Accepted challenge methods; always includes `S256`. */
  methods: readonly CodeChallengeMethod[];
}

/**
 * What `resolvePolicy` returns: the configuration's protocol decisions with every default applied,
 * as plain data. A value of this type can come from `resolvePolicy` or be any object of this
 * shape (a `ResolvedConfig` is one).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export interface ServerPolicy {
  /** The issuer identifier (RFC 8414 §2), as written. */
  issuer: string;
  /** Absolute endpoint URLs (issuer + path); `undefined`: the endpoint is off. */
  endpoints: {
    /** The authorization endpoint (served by the host). */
    authorization: string;
    /** The token endpoint. */
    token: string;
    /** The revocation endpoint, unless off. */
    revocation: string | undefined;
    /** The introspection endpoint, unless off. */
    introspection: string | undefined;
    /** The registration endpoint, when registration is on. */
    registration: string | undefined;
  };
  /** Scopes clients may request; `undefined`: any. */
  scopesSupported: readonly string[] | undefined;
  /** Scope granted when a request omits `scope`. */
  defaultScopes: readonly string[];
  /** RFC 8707 resources tokens are issued for; `undefined`: any absolute URI. */
  resources: readonly string[] | undefined;
  /** Client authentication methods accepted at the token, revocation and introspection endpoints. */
  clientAuthenticationMethods: readonly ClientAuthenticationMethod[];
  /** Grant types accepted at the token endpoint. */
  grantTypes: readonly GrantType[];
  /** PKCE policy. */
  pkce: ResolvedPkceConfig;
  /** Refresh-token issuance, rotation, lifetimes and grace window. */
  refreshTokens: ResolvedRefreshTokenConfig;
  /** Seconds an authorization code lives. */
  authorizationCodeLifetime: number;
  /** Seconds an access token lives. */
  accessTokenLifetime: number;
  /** Resource-server credentials accepted by the introspection endpoint. */
  introspectionCredentials: readonly IntrospectionCredential[];
  /** Present when registration is on (its `policy` callback is not part of the policy). */
  registration:
    | {
        /** Registrations accepted in total (`Infinity`: no cap). */
        maxClients: number;
        /** Seconds a client secret lives (0: forever). */
        clientSecretLifetime: number;
        /** Grant types a registering client may ask for. */
        allowedGrantTypes: readonly GrantType[];
        /** One-word redirect URI schemes accepted for public clients. */
        privateUseSchemes: readonly string[];
        /** Seconds an unused dynamically registered client lives (0: forever). */
        unusedClientLifetime: number;
        /** Whether only public clients may register. */
        publicClientsOnly: boolean;
      }
    | undefined;
  /** Whether `client_id` may be a Client ID Metadata Document URL. */
  clientIdMetadataDocumentsSupported: boolean;
  /** Whether the metadata is also served at the OpenID Connect discovery paths. */
  openIdConfiguration: boolean;
  /** Largest accepted form body in bytes. */
  maxBodyBytes: number;
  /** How `handleRequest` matches requests to endpoints. */
  routing: RoutingMode;
}
