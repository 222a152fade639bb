/**
 * One call of every storage method, on records that exist after `createGrant`: for the adapter
 * tests that count round trips per method (one SQL statement, one driver call).
 */
import type { Storage } from "../../src/index.js";
import type { STORAGE_METHODS } from "../../src/testing/index.js";

/** Calls every method of `storage` in turn, running `each(method, call)` around each call. */
export async function callEveryStorageMethod(
  storage: Storage,
  each: (method: (typeof STORAGE_METHODS)[number], call: () => Promise<unknown>) => Promise<void>,
): Promise<void> {
  const t = Math.floor(Date.now() / 1000);
  const grant = { grantId: "g", clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 60, refresh: { tokenHash: "r1", expiresAt: t + 60 } };
  const token = { tokenHash: "a1", grantId: "g", clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 };
  const client = { client_id: "c", token_endpoint_auth_method: "none" as const, redirect_uris: [], grant_types: [], response_types: [] };
  const invocations: Record<(typeof STORAGE_METHODS)[number], () => Promise<unknown>> = {
    getClient: () => storage.getClient("c"),
    createClient: () => storage.createClient(client),
    updateClient: () => storage.updateClient(client),
    extendClientExpiry: () => storage.extendClientExpiry("c", t + 60),
    deleteClient: () => storage.deleteClient("c"),
    countClients: () => storage.countClients(),
    saveAuthorizationCode: () => storage.saveAuthorizationCode({ codeHash: "h", grantId: "g", clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 60 }),
    redeemAuthorizationCode: () => storage.redeemAuthorizationCode("h"),
    createGrant: () => storage.createGrant(grant, token),
    saveAccessToken: () => storage.saveAccessToken({ ...token, tokenHash: "a2" }),
    getAccessToken: () => storage.getAccessToken("a1"),
    getGrantByRefreshFamily: () => storage.getGrantByRefreshFamily("r1"),
    rotateRefreshToken: () => storage.rotateRefreshToken({ grantId: "g", expectedTokenHash: "r1", refresh: { tokenHash: "r2", expiresAt: t + 60 }, accessToken: { ...token, tokenHash: "a3" } }),
    updateGrantProps: () => storage.updateGrantProps({ grantId: "g", expectedVersion: 0, sealedProps: "sealed" }),
    revokeAccessToken: () => storage.revokeAccessToken("a1"),
    revokeGrant: () => storage.revokeGrant("g"),
    listSubjectGrants: () => storage.listSubjectGrants("s"),
    revokeSubjectGrants: () => storage.revokeSubjectGrants("s", { clientId: "c" }),
  };
  for (const [method, call] of Object.entries(invocations)) await each(method as (typeof STORAGE_METHODS)[number], call);
}
