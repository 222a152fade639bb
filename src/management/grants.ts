/**
 * Grant and consent management for the host's account pages: what a subject has authorized
 * ("connected apps"), disconnecting one, and whether an authorization request is already covered
 * by an earlier consent (so the consent page can be skipped).
 *
 * Functions of plain inputs over a narrow part of the store; `createAuthorizationServer` exposes
 * them bound to its store and client lookup.
 *
 * @module
 */
import type { ClientLookup } from "../clients/authenticate.js";
import { OAuthError } from "../errors.js";
import { isScopeSubset } from "../rules/scope.js";
import type { GrantRecord, Storage } from "../storage/types.js";

/** What the grant-management functions need: the store's subject methods and a client lookup. */
export interface GrantManagementDeps {
  /** The subject-level storage methods (see `SubjectGrantStore`) and `revokeGrant`. */
  storage: Pick<Storage, "listSubjectGrants" | "revokeSubjectGrants" | "revokeGrant">;
  /** Finds a client by id (the store, or the Client ID Metadata Document resolver in front of it). */
  getClient: ClientLookup;
}

/**
 * One grant as an account page shows it: which client, what it may do, since when, and when it
 * last obtained tokens.
 */
export interface GrantSummary {
  /** The grant's id: what {@link revokeSubjectGrant} takes. */
  grantId: string;
  /** The client it was issued to. */
  clientId: string;
  /**
   * The client's `client_name` (RFC 7591 §2), when the client has one and can be found. Chosen by
   * the client: show it beside the client id, never as proof of identity.
   */
  clientName?: string;
  /** The client's `client_uri` (RFC 7591 §2), when it has one. */
  clientUri?: string;
  /** Granted scopes. */
  scope: string[];
  /** RFC 8707 resources its tokens are for. */
  resource: string[];
  /** When the subject approved it (the code's redemption), in seconds since the epoch. */
  createdAt: number;
  /**
   * When the client last obtained tokens from it: the last refresh, else `createdAt`. Recorded by
   * the refresh-token rotation that happens anyway (its `rotatedAt`), so it costs no write; using
   * an access token does not count (bearer validation stays one read).
   */
  lastUsedAt: number;
  /** The absolute end of the grant, in seconds since the epoch. */
  expiresAt: number;
}

/** The input of {@link hasRememberedConsent}. */
export interface ConsentQuery {
  /** The signed-in user. */
  subject: string;
  /** The client asking (`request.client.client_id`). */
  clientId: string;
  /** The scopes it asks for (`request.scope`). */
  scope: readonly string[];
  /** The RFC 8707 resources it asks for (`request.resource`). */
  resource: readonly string[];
}

// client_credentials grants act for the client itself (RFC 6749 §4.4): no user consented to them.
// Grants stored before subjectType existed are user grants unless their subject is their client.
const isUserGrant = (grant: GrantRecord): boolean =>
  grant.subjectType === undefined ? grant.subject !== grant.clientId : grant.subjectType === "user";

async function userGrants(deps: GrantManagementDeps, subject: string): Promise<GrantRecord[]> {
  if (typeof subject !== "string" || subject === "") throw new TypeError("subject must be a non-empty string.");
  return (await deps.storage.listSubjectGrants(subject)).filter(isUserGrant);
}

/**
 * Lists the live grants a user has given (client_credentials grants excluded), newest first, with
 * each client's name. Storage calls: one `listSubjectGrants`, plus one client lookup per distinct
 * client.
 *
 * A client whose metadata cannot be had (a Client ID Metadata Document that is unreachable now)
 * is listed without its name rather than failing the page; a failing store rejects.
 *
 * @throws {TypeError} when `subject` is empty.
 * @example
 * ```ts
 * const grants = await listSubjectGrants({ storage, getClient: (id) => storage.getClient(id) }, "user-1");
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export async function listSubjectGrants(deps: GrantManagementDeps, subject: string): Promise<GrantSummary[]> {
  const grants = await userGrants(deps, subject);
  const clients = new Map<string, { name?: string; uri?: string }>();
  for (const clientId of new Set(grants.map((grant) => grant.clientId))) {
    try {
      const client = await deps.getClient(clientId);
      clients.set(clientId, { ...(client?.client_name === undefined ? {} : { name: client.client_name }), ...(client?.client_uri === undefined ? {} : { uri: client.client_uri }) });
    } catch (error) {
      // An OAuthError is a client that cannot be resolved (a refused metadata document), not an outage.
      if (!(error instanceof OAuthError)) throw error;
    }
  }
  return grants
    .map((grant): GrantSummary => {
      const client = clients.get(grant.clientId);
      const summary: GrantSummary = {
        grantId: grant.grantId,
        clientId: grant.clientId,
        scope: [...grant.scope],
        resource: [...grant.resource],
        createdAt: grant.issuedAt,
        lastUsedAt: Math.max(grant.issuedAt, grant.refresh?.rotatedAt ?? 0),
        expiresAt: grant.expiresAt,
      };
      if (client?.name !== undefined) summary.clientName = client.name;
      if (client?.uri !== undefined) summary.clientUri = client.uri;
      return summary;
    })
    .sort((a, b) => b.createdAt - a.createdAt || a.grantId.localeCompare(b.grantId));
}

/** The input of {@link revokeSubjectGrant}. */
export interface SubjectGrantReference {
  /** The signed-in user. */
  subject: string;
  /** The grant to revoke (a {@link GrantSummary.grantId}). */
  grantId: string;
}

/**
 * Revokes one grant of a user, with every token issued from it, after checking that it is theirs:
 * a grant id from a form is attacker-controlled, and another subject's grant is answered `false`
 * exactly like an unknown one. Storage calls: `listSubjectGrants`, then `revokeGrant`.
 *
 * @returns `true` if the grant was the subject's and live, and is now revoked.
 * @throws {TypeError} when `subject` is empty.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revokeSubjectGrant(deps: GrantManagementDeps, reference: SubjectGrantReference): Promise<boolean> {
  const grants = await userGrants(deps, reference.subject);
  if (!grants.some((grant) => grant.grantId === reference.grantId)) return false;
  await deps.storage.revokeGrant(reference.grantId);
  return true;
}

/** The input of {@link revokeClientGrants}. */
export interface SubjectClientReference {
  /** The signed-in user. */
  subject: string;
  /** The client to disconnect. */
  clientId: string;
}

/**
 * Revokes every grant a user gave one client, and the codes they approved for it that are not
 * redeemed yet, in one atomic storage call (`revokeSubjectGrants`): "disconnect this app".
 *
 * @returns how many live grants were revoked.
 * @throws {TypeError} when `subject` or `clientId` is empty.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export async function revokeClientGrants(deps: GrantManagementDeps, reference: SubjectClientReference): Promise<number> {
  if (typeof reference.subject !== "string" || reference.subject === "") throw new TypeError("subject must be a non-empty string.");
  if (typeof reference.clientId !== "string" || reference.clientId === "") throw new TypeError("clientId must be a non-empty string.");
  return deps.storage.revokeSubjectGrants(reference.subject, { clientId: reference.clientId });
}

/**
 * Whether the user has already consented to this client for at least this scope and these
 * resources: true when one of their live grants to the client covers the requested scope
 * (a superset) and the requested resources (a superset; a request naming no resource is covered
 * only by a grant that names none, since its tokens would not be audience-restricted). One
 * storage call. A host may then skip the consent page (it must still have signed the user in).
 *
 * Consent is remembered only as long as a grant lives: a revoked or expired grant, or a client
 * deleted (RFC 7592 §2.3), asks again.
 *
 * @throws {TypeError} when `subject` is empty.
 * @example
 * ```ts
 * const known = await hasRememberedConsent(deps, { subject: "user-1", clientId: request.client.client_id, scope: request.scope, resource: request.resource });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.2 (consent for public clients)
 */
export async function hasRememberedConsent(deps: GrantManagementDeps, query: ConsentQuery): Promise<boolean> {
  const grants = await userGrants(deps, query.subject);
  return grants.some(
    (grant) =>
      grant.clientId === query.clientId &&
      isScopeSubset(query.scope, grant.scope) &&
      (query.resource.length === 0 ? grant.resource.length === 0 : isScopeSubset(query.resource, grant.resource)),
  );
}
