import type { ServerContext } from "../context.js";
import type { RequestParameters } from "../http/form.js";
import type { ClientRecord } from "../storage/types.js";

/**
 * One grant type at the token endpoint: given the authenticated client (already checked to be
 * registered for this grant type) and the request parameters, returns the token response or
 * throws an `OAuthError`.
 */
export type GrantHandler = (ctx: ServerContext, client: ClientRecord, params: RequestParameters) => Promise<Response>;
