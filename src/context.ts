import type { ClientAuthenticationOptions, ClientLookup } from "./clients/authenticate.js";
import type { ResolvedConfig } from "./config.js";

/**
 * What every endpoint of one authorization server shares: the resolved configuration and the
 * client lookup (the store, or a resolver in front of it such as Client ID Metadata Documents).
 */
export interface ServerContext {
  config: ResolvedConfig;
  getClient: ClientLookup;
  /**
   * How the token, revocation and introspection endpoints authenticate clients: the client lookup,
   * the configured methods, the clock and the issuer as realm. Built once, so that the endpoints
   * cannot disagree.
   */
  clientAuthentication: ClientAuthenticationOptions;
}
