/**
 * Dynamic client registration (RFC 7591 §3).
 *
 * @module
 */
import { emitterFor } from "../endpoints/web.js";
import type { ServerContext } from "../context.js";
import { generateId, generateToken, hashToken } from "../crypto.js";
import { OAuthError } from "../errors.js";
import { parseJsonBody } from "../http/json.js";
import { jsonResponse, respondToErrors } from "../http/response.js";
import type { ClientRecord } from "../storage/types.js";
import { checkPublicClientsOnly, reusableClientId, sameRegisteredMetadata } from "./hygiene.js";
import { type ClientMetadata, validateClientMetadata } from "../rules/client-metadata.js";

/**
 * The registration response (RFC 7591 §3.2.1, RFC 7592 §3): the metadata as registered, the
 * credentials issued, and how to manage the registration.
 */
export interface ClientInformationResponse extends ClientMetadata {
  /** The client identifier (RFC 6749 §2.2). */
  client_id: string;
  /** Only for confidential clients, and only in the response that issues it. */
  client_secret?: string;
  /** When the client id was issued, in seconds since the epoch (RFC 7591 §3.2.1). */
  client_id_issued_at: number;
  /** Present with a secret: when it expires, 0 for never (RFC 7591 §3.2.1). */
  client_secret_expires_at?: number;
  /** The RFC 7592 credential for reading, updating and deleting this registration. */
  registration_access_token?: string;
  /** Where the client reads, updates or deletes its registration (RFC 7592 §2). */
  registration_client_uri?: string;
}

/** The outcome of {@link AuthorizationServer.registerClient}. */
export interface RegisteredClient {
  /** What was stored (hashes only). */
  client: ClientRecord;
  /** What to send back: the only place the secret and registration token appear in clear. */
  response: ClientInformationResponse;
}

/**
 * Registers a client from its metadata: validates it (RFC 7591 §2), lets the host's policy refuse
 * or adjust it, enforces `maxClients`, and stores it with a new `client_id`, a `client_secret` for
 * confidential clients and an RFC 7592 registration access token — all random, all stored only as
 * hashes.
 *
 * @param request the HTTP request, handed to the policy (for initial access tokens, rate limits).
 * @throws {OAuthError} `invalid_client_metadata`, `invalid_redirect_uri`, or what the policy throws.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export async function registerClient(ctx: ServerContext, input: unknown, request: Request): Promise<RegisteredClient> {
  const registration = ctx.config.registration;
  if (registration === undefined) throw new TypeError("Dynamic client registration is not enabled (set endpoints.registration).");
  const metadata = await applyRegistrationPolicy(ctx, validateClientMetadata(input, ctx.config), request);
  // Only public clients are reused: a secret is stored hashed and cannot be handed out again.
  const source =
    registration.reuseIdenticalRegistrations !== undefined && metadata.token_endpoint_auth_method === "none"
      ? await registration.reuseIdenticalRegistrations({ request, metadata })
      : undefined;
  const reusableId = typeof source === "string" && source !== "" ? reusableClientId(source, metadata) : undefined;
  if (reusableId !== undefined) {
    const existing = await reusedClient(ctx, reusableId, metadata);
    if (existing !== undefined) return existing;
  }
  if (Number.isFinite(registration.maxClients) && (await ctx.config.storage.countClients()) >= registration.maxClients) {
    throw new OAuthError("temporarily_unavailable", "The server accepts no more client registrations.", { status: 503 });
  }
  const registered =
    reusableId === undefined
      ? await issueClientCredentials(ctx, generateId(), metadata)
      : // Lost the race to an identical registration: answer with the one that won.
        ((await storeReusableClient(ctx, reusableId, metadata)) ??
        (await reusedClient(ctx, reusableId, metadata)) ??
        (await issueClientCredentials(ctx, generateId(), metadata)));
  emitterFor(ctx, request)?.({ type: "client.registered", clientId: registered.client.client_id });
  return registered;
}

/**
 * The earlier client of an identical registration, if it is still there with that metadata. The
 * lookup is the server's (an expired client is gone, a used one extended). A changed or expired
 * record under the id is not reused: `undefined`, and the caller registers afresh (an expired one is
 * deleted first, with its grants, so the id is free).
 */
async function reusedClient(ctx: ServerContext, clientId: string, metadata: ClientMetadata): Promise<RegisteredClient | undefined> {
  const client = await ctx.getClient(clientId);
  if (client === null) {
    // Past its expiry but not swept yet: delete it (revoking its grants) so the id can be reused.
    if ((await ctx.config.storage.getClient(clientId)) !== null) await ctx.config.storage.deleteClient(clientId);
    return undefined;
  }
  if (!sameRegisteredMetadata(client, metadata)) return undefined;
  return { client, response: reusableClientInformation(ctx, client) };
}

/** Stores a reusable registration: public, no secret, no registration access token (immutable). */
async function storeReusableClient(ctx: ServerContext, clientId: string, metadata: ClientMetadata): Promise<RegisteredClient | undefined> {
  const now = ctx.config.now();
  const client: ClientRecord = { ...metadata, client_id: clientId, client_id_issued_at: now };
  const lifetime = ctx.config.registration?.unusedClientLifetime ?? 0;
  if (lifetime > 0) client.expires_at = now + lifetime;
  if (!(await ctx.config.storage.createClient(client))) return undefined;
  return { client, response: reusableClientInformation(ctx, client) };
}

// No registration_client_uri: without a registration access token there is nothing to manage it with.
function reusableClientInformation(ctx: ServerContext, client: ClientRecord): ClientInformationResponse {
  const response = clientInformation(ctx, client);
  delete response.registration_client_uri;
  return response;
}

/**
 * Runs the host's registration policy, if any, on validated metadata: for a new registration, or
 * for an RFC 7592 update of `client`. The policy's changes are validated like the client's own.
 */
export async function applyRegistrationPolicy(
  ctx: ServerContext,
  metadata: ClientMetadata,
  request: Request,
  client?: ClientRecord,
): Promise<ClientMetadata> {
  const policy = ctx.config.registration?.policy;
  if (policy === undefined) return withRegistrationRules(ctx, metadata);
  const adjusted = await policy(client === undefined ? { request, metadata } : { request, metadata, client });
  return withRegistrationRules(ctx, adjusted === undefined ? metadata : validateClientMetadata(adjusted, ctx.config));
}

// What the host configured for every registration, checked on what the policy decided.
function withRegistrationRules(ctx: ServerContext, metadata: ClientMetadata): ClientMetadata {
  checkPublicClientsOnly(ctx.config.registration?.publicClientsOnly ?? false, metadata);
  return metadata;
}

/**
 * Stores `metadata` under `clientId` with fresh credentials (used by registration and, for a
 * client becoming confidential, by RFC 7592 updates).
 */
export async function issueClientCredentials(
  ctx: ServerContext,
  clientId: string,
  metadata: ClientMetadata,
  existing?: ClientRecord,
): Promise<RegisteredClient> {
  const now = ctx.config.now();
  const lifetime = ctx.config.registration?.clientSecretLifetime ?? 0;
  const confidential = metadata.token_endpoint_auth_method !== "none";
  const secret = confidential && existing?.client_secret_hash === undefined ? generateToken() : undefined;
  const registrationToken = existing === undefined ? generateToken() : undefined;

  const client: ClientRecord = { ...metadata, client_id: clientId, client_id_issued_at: existing?.client_id_issued_at ?? now };
  if (confidential) {
    client.client_secret_hash = secret === undefined ? existing!.client_secret_hash! : hashToken(secret);
    client.client_secret_expires_at = secret === undefined ? (existing?.client_secret_expires_at ?? 0) : lifetime === 0 ? 0 : now + lifetime;
  }
  client.registration_access_token_hash = registrationToken === undefined ? existing?.registration_access_token_hash : hashToken(registrationToken);
  // A registration, or an RFC 7592 update (a use), starts the unused-client lifetime again.
  const unusedLifetime = ctx.config.registration?.unusedClientLifetime ?? 0;
  if (unusedLifetime > 0) client.expires_at = now + unusedLifetime;

  const stored = existing === undefined ? await ctx.config.storage.createClient(client) : await ctx.config.storage.updateClient(client);
  if (!stored) throw new OAuthError("server_error", "The client could not be stored.", { status: 500 });
  return { client, response: clientInformation(ctx, client, secret, registrationToken) };
}

/**
 * The RFC 7591 §3.2.1 / RFC 7592 §3 answer for a stored client. Secrets appear only when just
 * issued: the store keeps hashes.
 */
export function clientInformation(
  ctx: ServerContext,
  client: ClientRecord,
  secret?: string,
  registrationToken?: string,
): ClientInformationResponse {
  // `metadata` is no longer a field, but a record stored by an earlier version may carry it: never echoed.
  const { client_secret_hash: _secret, registration_access_token_hash: _token, metadata: _legacy, expires_at: _expiry, ...fields } = client as ClientRecord & { metadata?: unknown };
  const response: ClientInformationResponse = { ...fields, client_id_issued_at: client.client_id_issued_at ?? 0 };
  if (secret !== undefined) response.client_secret = secret;
  if (client.client_secret_hash === undefined) delete response.client_secret_expires_at;
  else response.client_secret_expires_at = client.client_secret_expires_at ?? 0;
  if (registrationToken !== undefined) response.registration_access_token = registrationToken;
  response.registration_client_uri = `${ctx.config.endpoints.registration}/${encodeURIComponent(client.client_id)}`;
  return response;
}

/**
 * The registration endpoint: `POST` with a JSON body of client metadata; `201 Created` with the
 * client information (RFC 7591 §3.2.1), or `400` with `invalid_client_metadata` /
 * `invalid_redirect_uri` (§3.2.2) — also for malformed JSON, invalid UTF-8, a wrong content type
 * or an oversized body.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 */
export function handleRegistrationRequest(ctx: ServerContext, request: Request): Promise<Response> {
  return respondToErrors(request, ctx.config.onError, async () => {
    if (request.method !== "POST") {
      throw new OAuthError("invalid_request", "Registration takes a POST request.", { status: 405, headers: { Allow: "POST" } });
    }
    const input = await parseJsonBody(request, { maxBodyBytes: ctx.config.maxBodyBytes, errorCode: "invalid_client_metadata" });
    const { response } = await registerClient(ctx, input, request);
    return jsonResponse(response, { status: 201 });
  });
}
