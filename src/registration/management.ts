/**
 * The client configuration endpoint (RFC 7592): read, update and delete a registration with its
 * registration access token.
 *
 * @module
 */
import type { ServerContext } from "../context.js";
import { verifyTokenHash } from "../crypto.js";
import { OAuthError } from "../errors.js";
import { authenticateChallenge } from "../http/challenge.js";
import { parseJsonBody } from "../http/json.js";
import { jsonResponse, respondToErrors } from "../http/response.js";
import type { ClientRecord } from "../storage/types.js";
import { validateClientMetadata } from "./metadata.js";
import { applyRegistrationPolicy, clientInformation, issueClientCredentials } from "./register.js";

const unauthorized = () =>
  new OAuthError("invalid_token", "The registration access token is invalid.", {
    status: 401,
    headers: { "WWW-Authenticate": authenticateChallenge("Bearer", [["error", "invalid_token"]]) },
  });

/**
 * Handles `GET`, `PUT` and `DELETE` on a client's `registration_client_uri`, authenticated by the
 * registration access token as a Bearer token (RFC 7592 §2). A wrong or missing token, and an
 * unknown client, are `401` (§2.1), so the endpoint does not reveal which clients exist.
 *
 * - `GET` returns the client information (without the secret, which only the registration response
 *   carried: the store keeps its hash).
 * - `PUT` replaces the metadata (§2.2): fields left out are removed; `client_id` must be the
 *   client's own, and a `client_secret`, if sent, must be the current one. A client that becomes
 *   confidential receives a secret.
 * - `DELETE` removes the client and revokes its grants (§2.3): `204`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2
 */
export function handleClientConfigurationRequest(ctx: ServerContext, request: Request, clientId: string): Promise<Response> {
  return respondToErrors(request, ctx.config.onError, async () => {
    const client = await authenticateRegistration(ctx, request, clientId);
    switch (request.method) {
      case "GET":
        return jsonResponse(clientInformation(ctx, client));
      case "PUT":
        return jsonResponse((await updateClient(ctx, request, client)).response);
      case "DELETE":
        await ctx.config.storage.deleteClient(client.client_id);
        return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
      default:
        throw new OAuthError("invalid_request", "Use GET, PUT or DELETE.", { status: 405, headers: { Allow: "GET, PUT, DELETE" } });
    }
  });
}

async function authenticateRegistration(ctx: ServerContext, request: Request, clientId: string): Promise<ClientRecord> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^bearer\s+(\S+)$/i.exec(header);
  if (match === null) throw unauthorized();
  const client = await ctx.config.storage.getClient(clientId);
  if (client?.registration_access_token_hash === undefined || !verifyTokenHash(match[1]!, client.registration_access_token_hash)) {
    throw unauthorized();
  }
  return client;
}

async function updateClient(ctx: ServerContext, request: Request, client: ClientRecord) {
  const input = await parseJsonBody(request, { maxBodyBytes: ctx.config.maxBodyBytes, errorCode: "invalid_client_metadata" });
  if (typeof input !== "object" || input === null) throw new OAuthError("invalid_client_metadata", "The client metadata must be a JSON object.");
  const fields = input as Record<string, unknown>;
  // RFC 7592 §2.2: client_id must be present and the same; a client_secret must match.
  if (fields["client_id"] !== client.client_id) throw new OAuthError("invalid_request", "client_id must be the client's own.");
  const secret = fields["client_secret"];
  if (secret !== undefined && (typeof secret !== "string" || client.client_secret_hash === undefined || !verifyTokenHash(secret, client.client_secret_hash))) {
    throw new OAuthError("invalid_request", "client_secret does not match the current secret.");
  }
  // The host's policy decides on updates too: otherwise a PUT could undo what it imposed.
  const metadata = await applyRegistrationPolicy(ctx, validateClientMetadata(input, ctx.config), request, client);
  // A client that stops being confidential loses its secret; one that becomes confidential gets one.
  const existing: ClientRecord = { ...client };
  if (metadata.token_endpoint_auth_method === "none") {
    delete existing.client_secret_hash;
    delete existing.client_secret_expires_at;
  }
  return issueClientCredentials(ctx, client.client_id, metadata, existing);
}
