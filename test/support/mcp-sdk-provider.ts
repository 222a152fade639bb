/**
 * The MCP SDK's `OAuthClientProvider`, kept in memory as a desktop MCP client keeps its state, for
 * the tests that drive the official SDK client against a server (interop, README, Workers).
 * `authorize` plays the browser: given the authorization URL, it returns where the server
 * redirected (the callback), from which the provider keeps the code.
 */
import { expect } from "vitest";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";

/** A public client's registration metadata (RFC 7591 §2) with this name and redirect URI. */
export function clientMetadata(name: string, redirectUrl: string): OAuthClientMetadata {
  return {
    client_name: name,
    redirect_uris: [redirectUrl],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
  };
}

/** What the provider is told about its client and its "browser". */
export interface InMemoryOAuthProviderOptions {
  /** The client's name (its registration metadata is a public client's with this name). */
  name: string;
  redirectUrl: string;
  /** The `iss` every authorization response must carry (RFC 9207). */
  issuer: string;
  /** Set to identify the client by a metadata document instead of registering. */
  clientMetadataUrl?: string;
  /** Follows the authorization URL as a browser would; resolves to the redirect back to the client. */
  authorize: (url: URL) => Promise<URL>;
}

/** An in-memory OAuthClientProvider that records the authorization URL and keeps the code. */
export class InMemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  code: string | undefined;
  information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  readonly clientMetadataUrl: string | undefined;
  private verifier = "";

  constructor(private readonly options: InMemoryOAuthProviderOptions) {
    this.clientMetadataUrl = options.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }
  get clientMetadata(): OAuthClientMetadata {
    return clientMetadata(this.options.name, this.options.redirectUrl);
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  async redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
    const callback = await this.options.authorize(url);
    expect(callback.origin + callback.pathname).toBe(this.options.redirectUrl);
    expect(callback.searchParams.get("iss")).toBe(this.options.issuer); // RFC 9207
    this.code = callback.searchParams.get("code") ?? undefined;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}
