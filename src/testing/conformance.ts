/**
 * The storage conformance suite: every documented contract of `src/storage/types.ts` as vitest
 * cases, to run against any store (memory, Redis, PostgreSQL, or a host's own adapter).
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessTokenRecord, Storage } from "../storage/types.js";
import { accessToken, authorizationCode, credential, fullClient, grant, minimalClient, refreshState } from "./records.js";
import { describeServerFlow } from "./server-flow.js";

/** What the factory of {@link describeStorageConformance} returns. */
export interface ConformanceStore {
  /** The store under test. It need not be empty: the suite uses fresh ids and counts by difference. */
  storage: Storage;
  /** Called once after the suite (close connections, drop the schema, stop a server…). */
  close?: () => Promise<void>;
  /**
   * Returns everything the store holds as text (every key and value, every row). When given, the
   * suite checks that no plaintext credential appears in it and that their hashes do.
   */
  dump?: () => Promise<string>;
}

/** Options of {@link describeStorageConformance}. */
export interface StorageConformanceOptions {
  /** Concurrent callers in the single-use races (default 50). */
  concurrency?: number;
  /** The store's clock in seconds since the epoch; defaults to the system clock. */
  now?: () => number;
  /** Wait ~2 s for records to expire (default true); turn off only for a store with a fake clock. */
  waitForExpiry?: boolean;
  /**
   * Run an authorization-code exchange, a refresh and a bearer validation through
   * `createAuthorizationServer` over the store and assert the storage calls per operation
   * (default true).
   */
  serverFlow?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Defines vitest cases that check a store against the storage contract: round trips of every
 * record type, expiry, hash-only persistence, atomic single use of codes and refresh tokens under
 * concurrency, revocation reaching every token of a grant, and the storage calls per operation of
 * a real server over the store. Call it at the top level of a test file.
 *
 * @param name - Shown in the `describe` title.
 * @param factory - Creates the store; called once, before the first case.
 * @param options - See {@link StorageConformanceOptions}.
 * @example
 * ```ts
 * import { describeStorageConformance } from "oauthkit/testing";
 *
 * describeStorageConformance("my store", async () => ({ storage: createMyStorage() }));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (single-use codes)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (refresh rotation, family revocation)
 */
export function describeStorageConformance(
  name: string,
  factory: () => Promise<ConformanceStore>,
  options: StorageConformanceOptions = {},
): void {
  const concurrency = options.concurrency ?? 50;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  describe(`storage conformance: ${name}`, () => {
    let store: ConformanceStore | undefined;
    const storage = (): Storage => {
      if (store === undefined) throw new Error("the store factory failed; see the beforeAll error");
      return store.storage;
    };
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close?.();
    });

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
          expect(await storage().getGrantByRefreshToken(refresh.hash)).toBeNull();
        }
        expect(await storage().getAccessToken(otherAt.hash)).not.toBeNull();
        expect((await storage().getGrantByRefreshToken(otherRefresh.hash))?.grantId).toBe(other.grantId);
      });
    });

    describe("authorization codes (RFC 6749 §4.1.2)", () => {
      it("round-trips a code: the first redemption gets it with firstUse true", async () => {
        const code = authorizationCode(credential(), now());
        await storage().saveAuthorizationCode(code);
        expect(await storage().redeemAuthorizationCode(code.codeHash)).toEqual({ code, firstUse: true });
      });

      it("a second redemption gets the record with firstUse false, so the core can revoke (RFC 6749 §4.1.2)", async () => {
        const code = authorizationCode(credential(), now());
        await storage().saveAuthorizationCode(code);
        await storage().redeemAuthorizationCode(code.codeHash);
        expect(await storage().redeemAuthorizationCode(code.codeHash)).toEqual({ code, firstUse: false });
        expect(await storage().redeemAuthorizationCode(code.codeHash)).toEqual({ code, firstUse: false });
      });

      it("returns null for an unknown code", async () => {
        expect(await storage().redeemAuthorizationCode(credential().hash)).toBeNull();
      });

      it("never returns a code whose expiresAt has passed", async () => {
        const t = now();
        const code = authorizationCode(credential(), t - 120, t - 60);
        await storage().saveAuthorizationCode(code);
        expect(await storage().redeemAuthorizationCode(code.codeHash)).toBeNull();
        const atNow = authorizationCode(credential(), t - 60, t);
        await storage().saveAuthorizationCode(atNow);
        expect(await storage().redeemAuthorizationCode(atNow.codeHash)).toBeNull();
      });

      it(`single use: of ${concurrency} concurrent redemptions exactly one gets firstUse true (RFC 6749 §4.1.2)`, async () => {
        const code = authorizationCode(credential(), now());
        await storage().saveAuthorizationCode(code);
        const results = await Promise.all(Array.from({ length: concurrency }, () => storage().redeemAuthorizationCode(code.codeHash)));
        expect(results.every((result) => result !== null && result.code.grantId === code.grantId)).toBe(true);
        expect(results.filter((result) => result?.firstUse === true)).toHaveLength(1);
        expect(results.filter((result) => result?.firstUse === false)).toHaveLength(concurrency - 1);
      });
    });

    describe("grants and access tokens", () => {
      it("createGrant stores the grant and its first access token (round trip)", async () => {
        const t = now();
        const refresh = credential();
        const at = credential();
        const g = grant(t, { refresh });
        const token = accessToken(at, g, t);
        await storage().createGrant(g, token);
        expect(await storage().getAccessToken(at.hash)).toEqual(token);
        expect(await storage().getGrantByRefreshToken(refresh.hash)).toEqual(g);
      });

      it("a grant without refresh token (client_credentials) still serves its access token", async () => {
        const t = now();
        const at = credential();
        const g = grant(t);
        await storage().createGrant(g, accessToken(at, g, t));
        expect((await storage().getAccessToken(at.hash))?.grantId).toBe(g.grantId);
      });

      it("returns null for unknown access and refresh token hashes", async () => {
        expect(await storage().getAccessToken(credential().hash)).toBeNull();
        expect(await storage().getGrantByRefreshToken(credential().hash)).toBeNull();
      });

      it("saveAccessToken adds a token to a live grant (round trip)", async () => {
        const t = now();
        const g = grant(t, { refresh: credential() });
        await storage().createGrant(g, accessToken(credential(), g, t));
        const second = accessToken(credential(), g, t);
        await storage().saveAccessToken(second);
        expect(await storage().getAccessToken(second.tokenHash)).toEqual(second);
      });

      it("never returns an access token whose expiresAt has passed", async () => {
        const t = now();
        const g = grant(t);
        await storage().createGrant(g, accessToken(credential(), g, t));
        const expired = accessToken(credential(), g, t - 7200, t - 3600);
        await storage().saveAccessToken(expired);
        expect(await storage().getAccessToken(expired.tokenHash)).toBeNull();
        const expiredFirst = grant(t);
        const first = accessToken(credential(), expiredFirst, t - 60, t);
        await storage().createGrant(expiredFirst, first);
        expect(await storage().getAccessToken(first.tokenHash)).toBeNull();
      });

      it("never returns the tokens of a grant whose expiresAt has passed", async () => {
        const t = now();
        const refresh = credential();
        const g = grant(t - 100, { refresh, expiresAt: t - 10 });
        const token = accessToken(credential(), g, t - 100, t + 3600);
        await storage().createGrant(g, token);
        expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
        expect(await storage().getGrantByRefreshToken(refresh.hash)).toBeNull();
      });

      it("saveAccessToken for an unknown grant: the token is never returned", async () => {
        const t = now();
        const token = accessToken(credential(), grant(t), t);
        await storage().saveAccessToken(token);
        expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
      });

      it("saveAccessToken for a revoked grant: the token is never returned", async () => {
        const t = now();
        const g = grant(t);
        await storage().createGrant(g, accessToken(credential(), g, t));
        await storage().revokeGrant(g.grantId);
        const late = accessToken(credential(), g, t);
        await storage().saveAccessToken(late);
        expect(await storage().getAccessToken(late.tokenHash)).toBeNull();
      });

      it("revokeAccessToken revokes that token only, idempotently (RFC 7009 §2.1)", async () => {
        const t = now();
        const refresh = credential();
        const g = grant(t, { refresh });
        const first = accessToken(credential(), g, t);
        await storage().createGrant(g, first);
        const second = accessToken(credential(), g, t);
        await storage().saveAccessToken(second);
        await storage().revokeAccessToken(first.tokenHash);
        await storage().revokeAccessToken(first.tokenHash);
        await storage().revokeAccessToken(credential().hash);
        expect(await storage().getAccessToken(first.tokenHash)).toBeNull();
        expect(await storage().getAccessToken(second.tokenHash)).toEqual(second);
        expect((await storage().getGrantByRefreshToken(refresh.hash))?.grantId).toBe(g.grantId);
      });
    });

    describe("refresh rotation (RFC 9700 §4.14.2)", () => {
      async function liveGrant() {
        const t = now();
        const refresh = credential();
        const g = grant(t, { refresh });
        const first = accessToken(credential(), g, t);
        await storage().createGrant(g, first);
        return { t, refresh, g, first };
      }

      it("compare-and-rotate: the new hash finds the grant, with the new refresh state and access token", async () => {
        const { t, refresh, g } = await liveGrant();
        const next = credential();
        const state = refreshState(next, t, refresh);
        const token = accessToken(credential(), g, t);
        expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: state, accessToken: token })).toBe(true);
        expect(await storage().getGrantByRefreshToken(next.hash)).toEqual({ ...g, refresh: state });
        expect(await storage().getAccessToken(token.tokenHash)).toEqual(token);
      });

      it("old refresh hashes still find the grant after rotations, for reuse detection (RFC 9700 §4.14.2)", async () => {
        const { t, refresh, g } = await liveGrant();
        const hashes = [refresh];
        for (let i = 0; i < 3; i++) {
          const next = credential();
          const ok = await storage().rotateRefreshToken({
            grantId: g.grantId,
            expectedTokenHash: hashes.at(-1)!.hash,
            refresh: refreshState(next, t, hashes.at(-1)),
            accessToken: accessToken(credential(), g, t),
          });
          expect(ok).toBe(true);
          hashes.push(next);
        }
        for (const old of hashes) {
          const found = await storage().getGrantByRefreshToken(old.hash);
          expect(found?.grantId).toBe(g.grantId);
          expect(found?.refresh?.tokenHash).toBe(hashes.at(-1)!.hash);
        }
      });

      it("a rotation expecting a stale hash changes nothing and returns false", async () => {
        const { t, refresh, g } = await liveGrant();
        const next = credential();
        await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: accessToken(credential(), g, t) });
        const stale = credential();
        const staleToken = accessToken(credential(), g, t);
        expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(stale, t, refresh), accessToken: staleToken })).toBe(false);
        expect(await storage().getGrantByRefreshToken(stale.hash)).toBeNull();
        expect(await storage().getAccessToken(staleToken.tokenHash)).toBeNull();
        expect((await storage().getGrantByRefreshToken(refresh.hash))?.refresh?.tokenHash).toBe(next.hash);
      });

      it("a rotation of an unknown or revoked grant returns false", async () => {
        const { t, refresh, g } = await liveGrant();
        const unknown = grant(t);
        expect(await storage().rotateRefreshToken({ grantId: unknown.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(credential(), t), accessToken: accessToken(credential(), unknown, t) })).toBe(false);
        await storage().revokeGrant(g.grantId);
        const next = credential();
        const token = accessToken(credential(), g, t);
        expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: token })).toBe(false);
        expect(await storage().getGrantByRefreshToken(next.hash)).toBeNull();
        expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
      });

      it(`of ${concurrency} concurrent rotations expecting the same hash exactly one succeeds (RFC 9700 §4.14.2)`, async () => {
        const { t, refresh, g } = await liveGrant();
        const attempts = Array.from({ length: concurrency }, () => {
          const next = credential();
          return { next, state: refreshState(next, t, refresh), token: accessToken(credential(), g, t) };
        });
        const results = await Promise.all(
          attempts.map((a) => storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: a.state, accessToken: a.token })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = attempts[results.indexOf(true)]!;
        expect((await storage().getGrantByRefreshToken(refresh.hash))?.refresh).toEqual(winner.state);
        for (const attempt of attempts) {
          const won = attempt === winner;
          expect((await storage().getAccessToken(attempt.token.tokenHash)) !== null).toBe(won);
          expect((await storage().getGrantByRefreshToken(attempt.next.hash)) !== null).toBe(won);
        }
      });

      it("revokeGrant reaches every access and refresh token of the grant, idempotently (RFC 9700 §4.14.2)", async () => {
        const { t, refresh, g, first } = await liveGrant();
        const saved = accessToken(credential(), g, t);
        await storage().saveAccessToken(saved);
        const next = credential();
        const rotated = accessToken(credential(), g, t);
        await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: rotated });
        const bystander = await liveGrant();

        await storage().revokeGrant(g.grantId);
        for (const token of [first, saved, rotated] satisfies AccessTokenRecord[]) expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
        for (const hash of [refresh.hash, next.hash]) expect(await storage().getGrantByRefreshToken(hash)).toBeNull();
        await storage().revokeGrant(g.grantId);
        await storage().revokeGrant("grant-that-never-existed");
        expect(await storage().getAccessToken(bystander.first.tokenHash)).toEqual(bystander.first);
        expect((await storage().getGrantByRefreshToken(bystander.refresh.hash))?.grantId).toBe(bystander.g.grantId);
      });
    });

    describe("hashes only", () => {
      it("finds every record by its hash alone; a dump of the store holds no plaintext credential", async () => {
        const t = now();
        const secret = credential();
        const registration = credential();
        const client = fullClient(secret, registration, t);
        await storage().createClient(client);
        const code = credential();
        await storage().saveAuthorizationCode(authorizationCode(code, t));
        const refresh = credential();
        const next = credential();
        const at = credential();
        const rotatedAt = credential();
        const g = grant(t, { clientId: client.client_id, refresh });
        await storage().createGrant(g, accessToken(at, g, t));
        await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: accessToken(rotatedAt, g, t) });

        // The store was only ever given hashes; it must find everything by them.
        expect((await storage().redeemAuthorizationCode(code.hash))?.firstUse).toBe(true);
        expect(await storage().getAccessToken(at.hash)).not.toBeNull();
        expect(await storage().getAccessToken(rotatedAt.hash)).not.toBeNull();
        expect(await storage().getGrantByRefreshToken(next.hash)).not.toBeNull();
        // Looking up by plaintext finds nothing: the store does no hashing of its own.
        expect(await storage().getAccessToken(at.value)).toBeNull();
        expect(await storage().getGrantByRefreshToken(next.value)).toBeNull();

        if (store?.dump === undefined) return;
        const dump = await store.dump();
        for (const c of [secret, registration, code, refresh, next, at, rotatedAt]) {
          expect(dump.includes(c.value), "a plaintext credential is in the store").toBe(false);
          expect(dump.includes(c.hash), "the dump is missing a hash: is it complete?").toBe(true);
        }
      });
    });

    describe.skipIf(options.waitForExpiry === false)("expiry, waited out", () => {
      it("records that expire 1–2 s later are gone once that time has passed", async () => {
        const t = now();
        const soon = t + 2;
        const code = authorizationCode(credential(), t, soon);
        await storage().saveAuthorizationCode(code);
        const refresh = credential();
        const shortGrant = grant(t, { refresh, expiresAt: soon });
        const shortGrantToken = accessToken(credential(), shortGrant, t, t + 3600);
        await storage().createGrant(shortGrant, shortGrantToken);
        const longGrant = grant(t);
        const longToken = accessToken(credential(), longGrant, t);
        await storage().createGrant(longGrant, longToken);
        const shortToken = accessToken(credential(), longGrant, t, soon);
        await storage().saveAccessToken(shortToken);

        expect(await storage().getAccessToken(shortGrantToken.tokenHash)).not.toBeNull();
        expect(await storage().getAccessToken(shortToken.tokenHash)).not.toBeNull();
        expect(await storage().getGrantByRefreshToken(refresh.hash)).not.toBeNull();

        const wait = soon * 1000 - Date.now() + 50;
        await sleep(Math.max(0, wait));
        expect(now()).toBeGreaterThanOrEqual(soon);

        expect(await storage().redeemAuthorizationCode(code.codeHash)).toBeNull();
        expect(await storage().getAccessToken(shortGrantToken.tokenHash)).toBeNull();
        expect(await storage().getGrantByRefreshToken(refresh.hash)).toBeNull();
        expect(await storage().getAccessToken(shortToken.tokenHash)).toBeNull();
        expect(await storage().getAccessToken(longToken.tokenHash)).toEqual(longToken);
      }, 10_000);
    });

    if (options.serverFlow !== false) describeServerFlow(name, storage);
  });
}
