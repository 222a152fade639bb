/**
 * Client records (RFC 7591 §2, RFC 7592 §2.3).
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { accessToken, credential, fullClient, grant, minimalClient } from "../records.js";
import type { SuiteContext } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeClientContract({ storage, now, concurrency }: SuiteContext): void {
  describe("clients (RFC 7591 §2, RFC 7592)", () => {
    it("round-trips a client with every metadata field", async () => {
      const client = fullClient(credential(), credential(), now());
      expect(await storage().createClient(client)).toBe(true);
      expect(await storage().getClient(client.client_id)).toEqual(client);
      const minimal = minimalClient();
      expect(await storage().createClient(minimal)).toBe(true);
      expect(await storage().getClient(minimal.client_id)).toEqual(minimal);
    });

    it("returns null for an unknown client", async () => {
      expect(await storage().getClient("client-that-does-not-exist")).toBeNull();
    });

    it("keeps its own copy: mutating the input afterwards changes nothing", async () => {
      const client = minimalClient();
      await storage().createClient(client);
      const original = structuredClone(client);
      client.redirect_uris.push("https://evil.example/cb");
      client.client_name = "changed";
      expect(await storage().getClient(client.client_id)).toEqual(original);
    });

    it("createClient refuses a duplicate client_id and keeps the first record", async () => {
      const first = minimalClient();
      const second = { ...minimalClient(), client_id: first.client_id, client_name: "second" };
      expect(await storage().createClient(first)).toBe(true);
      expect(await storage().createClient(second)).toBe(false);
      expect(await storage().getClient(first.client_id)).toEqual(first);
    });

    it(`createClient: of ${concurrency} concurrent registrations of one client_id exactly one wins`, async () => {
      const id = minimalClient().client_id;
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => storage().createClient({ ...minimalClient(), client_id: id, client_name: `n${i}` })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await storage().getClient(id))?.client_name).toBe(`n${winner}`);
    });

    it("updateClient replaces an existing client and refuses an unknown one (RFC 7592 §2.2)", async () => {
      const client = fullClient(credential(), credential(), now());
      await storage().createClient(client);
      const updated = { ...minimalClient(), client_id: client.client_id, client_name: "renamed" };
      expect(await storage().updateClient(updated)).toBe(true);
      expect(await storage().getClient(client.client_id)).toEqual(updated);
      const unknown = minimalClient();
      expect(await storage().updateClient(unknown)).toBe(false);
      expect(await storage().getClient(unknown.client_id)).toBeNull();
    });

    it("extendClientExpiry moves expires_at later and nothing else; never earlier, never onto a client without one (registration.unusedClientLifetime)", async () => {
      const t = now();
      const client = { ...fullClient(credential(), credential(), t), expires_at: t + 100 };
      await storage().createClient(client);
      expect(await storage().extendClientExpiry(client.client_id, t + 500)).toBe(true);
      expect(await storage().getClient(client.client_id)).toEqual({ ...client, expires_at: t + 500 });
      expect(await storage().extendClientExpiry(client.client_id, t + 200)).toBe(false);
      expect(await storage().extendClientExpiry(client.client_id, t + 500)).toBe(false);
      expect((await storage().getClient(client.client_id))?.expires_at).toBe(t + 500);
      const permanent = minimalClient();
      await storage().createClient(permanent);
      expect(await storage().extendClientExpiry(permanent.client_id, t + 500)).toBe(false);
      expect(await storage().getClient(permanent.client_id)).toEqual(permanent);
      expect(await storage().extendClientExpiry("client-that-does-not-exist", t + 500)).toBe(false);
      expect(await storage().getClient("client-that-does-not-exist")).toBeNull();
    });

    it(`extendClientExpiry racing updateClient (RFC 7592 §2.2): the update's fields are never lost (${concurrency} pairs)`, async () => {
      const t = now();
      await Promise.all(
        Array.from({ length: concurrency }, async (_, i) => {
          const client = { ...minimalClient(), expires_at: t + 100 };
          await storage().createClient(client);
          const updated = { ...client, client_name: `renamed ${i}`, redirect_uris: ["https://client.example.com/new"] };
          await Promise.all([storage().updateClient(updated), storage().extendClientExpiry(client.client_id, t + 500)]);
          const stored = await storage().getClient(client.client_id);
          expect(stored?.client_name).toBe(`renamed ${i}`);
          expect(stored?.redirect_uris).toEqual(["https://client.example.com/new"]);
          expect([t + 100, t + 500]).toContain(stored?.expires_at);
        }),
      );
    });

    it("countClients counts creations and deletions", async () => {
      const before = await storage().countClients();
      const clients = [minimalClient(), minimalClient(), minimalClient()];
      for (const client of clients) await storage().createClient(client);
      await storage().createClient(clients[0]!); // a refused duplicate does not count
      expect(await storage().countClients()).toBe(before + 3);
      await storage().deleteClient(clients[1]!.client_id);
      expect(await storage().countClients()).toBe(before + 2);
    });

    it("deleteClient deletes once, then reports the client unknown (RFC 7592 §2.3)", async () => {
      const client = minimalClient();
      await storage().createClient(client);
      expect(await storage().deleteClient(client.client_id)).toBe(true);
      expect(await storage().getClient(client.client_id)).toBeNull();
      expect(await storage().deleteClient(client.client_id)).toBe(false);
    });

    it("deleteClient revokes every grant of the client and no other (RFC 7592 §2.3)", async () => {
      const client = minimalClient();
      await storage().createClient(client);
      const t = now();
      const mine = [0, 1].map(() => {
        const refresh = credential();
        const at = credential();
        const g = grant(t, { clientId: client.client_id, refresh });
        return { g, refresh, at };
      });
      for (const { g, at } of mine) await storage().createGrant(g, accessToken(at, g, t));
      const otherRefresh = credential();
      const otherAt = credential();
      const other = grant(t, { refresh: otherRefresh });
      await storage().createGrant(other, accessToken(otherAt, other, t));

      expect(await storage().deleteClient(client.client_id)).toBe(true);
      for (const { refresh, at } of mine) {
        expect(await storage().getAccessToken(at.hash)).toBeNull();
        expect(await storage().getGrantByRefreshFamily(refresh.hash)).toBeNull();
      }
      expect(await storage().getAccessToken(otherAt.hash)).not.toBeNull();
      expect((await storage().getGrantByRefreshFamily(otherRefresh.hash))?.grantId).toBe(other.grantId);
    });
  });
}
