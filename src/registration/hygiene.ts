/**
 * Registration hygiene: keeping an open registration endpoint from growing the client table
 * without bound — clients that are never used expire, only public clients may register (if the
 * host says so), and identical re-registrations from one source get the same client.
 *
 * @module
 */
import type { ClientLookup } from "../clients/authenticate.js";
import { hashToken } from "../crypto.js";
import { OAuthError } from "../errors.js";
import type { ClientRecord, Storage } from "../storage/types.js";
import type { ClientMetadata } from "../rules/client-metadata.js";

/**
 * Refuses a confidential client when only public ones may register (RFC 7591 §3.2.2
 * `invalid_client_metadata`).
 *
 * @throws {OAuthError} `invalid_client_metadata` when `publicClientsOnly` and the method is not `none`.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function checkPublicClientsOnly(publicClientsOnly: boolean, metadata: ClientMetadata): void {
  if (publicClientsOnly && metadata.token_endpoint_auth_method !== "none") {
    throw new OAuthError(
      "invalid_client_metadata",
      'This server registers only public clients: token_endpoint_auth_method must be "none" (use PKCE).',
    );
  }
}

/** Options of {@link withUnusedClientExpiry}. */
export interface UnusedClientExpiryOptions {
  /** Where an extended expiry is written. */
  storage: Pick<Storage, "extendClientExpiry">;
  /** `registration.unusedClientLifetime`, in seconds (> 0). */
  lifetime: number;
  /** The clock, in seconds since the epoch. */
  now: () => number;
}

/**
 * Wraps a client lookup so that a dynamically registered client past its `expires_at` is unknown
 * (`null`), and a client found with less than half of `lifetime` left is extended to now +
 * `lifetime`: one write per half lifetime of use, not one per request. Clients without
 * `expires_at` (pre-registered, metadata documents) pass through unchanged.
 *
 * The extension moves `expires_at` alone (`extendClientExpiry`), so an RFC 7592 update landing at
 * the same moment keeps every field it wrote.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 */
export function withUnusedClientExpiry(lookup: ClientLookup, options: UnusedClientExpiryOptions): ClientLookup {
  return async (clientId) => {
    const client = await lookup(clientId);
    if (client?.expires_at === undefined) return client;
    const now = options.now();
    if (client.expires_at <= now) return null;
    if (client.expires_at - now < options.lifetime / 2) {
      const extended: ClientRecord = { ...client, expires_at: now + options.lifetime };
      await options.storage.extendClientExpiry(client.client_id, extended.expires_at!);
      return extended;
    }
    return client;
  };
}

// Key order must not matter: two registrations of the same metadata written differently are one.
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The client id of a reusable registration: a SHA-256 of the source and the canonical metadata,
 * so that an identical registration from the same source finds the earlier client by id (no
 * storage index needed), and anything that differs gets another id.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export function reusableClientId(source: string, metadata: ClientMetadata): string {
  return `r-${hashToken(canonicalJson(["oauthkit-registration-v1", source, metadata]))}`;
}

/**
 * Whether a stored client still has exactly the registered metadata (the id is derived from it, so
 * this fails only if the record was changed, e.g. by a host, after registration).
 */
export function sameRegisteredMetadata(client: ClientRecord, metadata: ClientMetadata): boolean {
  const {
    client_id: _id,
    client_id_issued_at: _issued,
    client_secret_hash: _secret,
    client_secret_expires_at: _secretExpiry,
    registration_access_token_hash: _token,
    expires_at: _expiry,
    ...registered
  } = client;
  return canonicalJson(registered) === canonicalJson(metadata);
}
