/**
 * `oauthkit/redis`: the storage contract on Redis (≥ 7.0) through a node-redis v5 client.
 *
 * @module
 */
import { sha1 } from "@oslojs/crypto/sha1";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { systemNow } from "../../clock.js";
import {
  type AccessTokenRecord,
  type AuthorizationCodeRecord,
  type ClientRecord,
  type GrantPropsUpdate,
  type GrantRecord,
  type RedeemedAuthorizationCode,
  type RefreshTokenRotation,
  type RefreshTokenState,
  type Storage,
  GRANT_TOMBSTONE_DEFAULT_SECONDS,
} from "../types.js";
import { slotTagOf } from "../../token-format.js";
import * as scripts from "./scripts.js";

/** The keys and arguments of one script call, as node-redis takes them. */
export interface RedisScriptOptions {
  /** The script's `KEYS`. */
  keys: string[];
  /** The script's `ARGV`. */
  arguments: string[];
}

/**
 * The part of a Redis client this store uses: script execution. A node-redis v5 client
 * (`createClient()` from `redis`, connected) satisfies it, and so does a node-redis v5 Redis Cluster
 * client (`createCluster()`), which routes each script by its first key; this package needs no
 * runtime dependency on `redis`, and any client can be adapted in a few lines.
 *
 * @see https://redis.io/docs/latest/commands/evalsha/
 */
export interface RedisScriptingClient {
  /** EVAL: runs a script, loading it into the server's script cache. */
  eval(script: string, options: RedisScriptOptions): Promise<unknown>;
  /** EVALSHA: runs a cached script by its SHA-1; fails with `NOSCRIPT` when it is not cached. */
  evalSha(sha1: string, options: RedisScriptOptions): Promise<unknown>;
}

/** Options of {@link createRedisStorage}. */
export interface RedisStorageOptions {
  /**
   * A connected node-redis v5 client (or anything with `eval` and `evalSha`). Its connection is the
   * host's: the store never retries or swallows a failure, each rejects the method's promise. Give it
   * an `'error'` listener and `disableOfflineQueue: true`, so that an outage neither ends the process
   * nor holds requests until Redis returns.
   *
   * @see https://github.com/redis/node-redis/blob/master/docs/client-configuration.md
   */
  client: RedisScriptingClient;
  /**
   * Prepended to every key (default `"oauthkit:"`). No hash tag is needed for Redis Cluster: the
   * store tags the keys of each grant itself (a prefix with a tag, such as `"{oauthkit}:"`, still
   * works, but puts every key on one node).
   */
  prefix?: string;
  /** The clock in seconds since the epoch; defaults to the system clock. */
  now?: () => number;
}

const encoder = new TextEncoder();

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: encodeHexLowerCase(sha1(encoder.encode(source))) };
}

const SCRIPTS = {
  createClient: script(scripts.CREATE_CLIENT),
  updateClient: script(scripts.UPDATE_CLIENT),
  getClient: script(scripts.GET_CLIENT),
  replaceClientIfUnchanged: script(scripts.REPLACE_CLIENT_IF_UNCHANGED),
  countClients: script(scripts.COUNT_CLIENTS),
  deleteKey: script(scripts.DELETE_KEY),
  deleteExpiredClient: script(scripts.DELETE_EXPIRED_CLIENT),
  setAdd: script(scripts.SET_ADD),
  setRemove: script(scripts.SET_REMOVE),
  sortedAdd: script(scripts.SORTED_ADD),
  sortedRemove: script(scripts.SORTED_REMOVE),
  expiredClients: script(scripts.EXPIRED_CLIENTS),
  indexAdd: script(scripts.INDEX_ADD),
  indexLive: script(scripts.INDEX_LIVE),
  drainClientGrants: script(scripts.DRAIN_CLIENT_GRANTS),
  saveCode: script(scripts.SAVE_CODE),
  redeemCode: script(scripts.REDEEM_CODE),
  createGrant: script(scripts.CREATE_GRANT),
  saveAccessToken: script(scripts.SAVE_ACCESS_TOKEN),
  getAccessToken: script(scripts.GET_ACCESS_TOKEN),
  getGrantByRefreshFamily: script(scripts.GET_GRANT_BY_REFRESH_FAMILY),
  getGrant: script(scripts.GET_GRANT),
  rotateRefreshToken: script(scripts.ROTATE_REFRESH_TOKEN),
  revokeGrant: script(scripts.REVOKE_GRANT),
  updateGrantProps: script(scripts.UPDATE_GRANT_PROPS),
} as const;

/**
 * The key suffix of a grant id, token hash or family hash: `{<tag>}.<rest>` when it carries a slot
 * tag (`src/token-format.ts`), so that Redis Cluster hashes only the tag and a grant's keys share a
 * slot; the value itself otherwise (the layout of versions before tags). Mirrors `slotted` in the
 * scripts.
 *
 * @param value - A grant id, or a tagged hash.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function redisKeySuffix(value: string): string {
  const tag = slotTagOf(value);
  return tag === undefined ? value : `{${tag}}${value.slice(tag.length)}`;
}

/** How many grants are revoked (or read) at once by the calls that reach many. */
const BATCH = 100;

/** Runs `task` over `items`, `BATCH` at a time in parallel. */
async function inBatches<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += BATCH) results.push(...(await Promise.all(items.slice(i, i + BATCH).map(task))));
  return results;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

async function runScript(client: RedisScriptingClient, which: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
  const call: RedisScriptOptions = { keys, arguments: args.map(String) };
  try {
    return await client.evalSha(which.sha, call);
  } catch (error) {
    // The script cache is empty after a restart, a failover or SCRIPT FLUSH: EVAL loads it again.
    if (!isNoScript(error)) throw error;
    return client.eval(which.source, call);
  }
}

/** Options of {@link sweepExpiredClients}. */
export interface RedisSweepOptions {
  /** The store's client (see {@link RedisStorageOptions.client}). */
  client: RedisScriptingClient;
  /** The store's key prefix (default `"oauthkit:"`). */
  prefix?: string;
  /** The clock in seconds since the epoch; defaults to the system clock. */
  now?: () => number;
  /** Clients read from the expiry index per call (default 100), so that one call never blocks Redis long. */
  batchSize?: number;
}

/**
 * Deletes dynamically registered clients past their `expires_at` (`registration.unusedClientLifetime`),
 * each with its grants as `deleteClient` does (RFC 7592 §2.3), and returns how many. Everything
 * else in the Redis store expires natively; clients do not, since a used client's expiry moves.
 * A client is deleted only if its record still says it expired, so an update racing the sweep
 * wins. Run it on a schedule (a timer in one instance); a failure rejects.
 *
 * @example
 * ```ts
 * setInterval(() => void sweepExpiredClients({ client }).catch((error) => console.error("sweep", error)), 10 * 60_000);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3
 */
export async function sweepExpiredClients(options: RedisSweepOptions): Promise<number> {
  const store = redisStore(options.client, options.prefix ?? "oauthkit:", options.now ?? systemNow);
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError("sweepExpiredClients: batchSize must be a positive integer");
  let total = 0;
  for (;;) {
    const ids = (await store.run(SCRIPTS.expiredClients, [store.key.clientExpiry], [store.now(), batchSize])) as string[];
    const deleted = await inBatches(ids, (id) => store.deleteExpiredClient(id));
    total += deleted.filter(Boolean).length;
    if (ids.length < batchSize) return total;
  }
}

// The sealed props and their version live in fields of their own, so that updateGrantProps can
// compare-and-set them without parsing JSON in Lua.
function grantFields(grant: GrantRecord): { base: string; refresh: string; refreshHash: string; sealedProps: string; propsVersion: number } {
  const { refresh, sealedProps, propsVersion, ...base } = grant;
  return {
    base: JSON.stringify(base),
    refresh: refresh === undefined ? "" : JSON.stringify(refresh),
    refreshHash: refresh?.tokenHash ?? "",
    sealedProps: sealedProps ?? "",
    propsVersion: propsVersion ?? 0,
  };
}

function withSealedProps<T extends { sealedProps?: string; propsVersion?: number }>(record: T, sealed: string, version: unknown): T {
  if (sealed !== "") {
    record.sealedProps = sealed;
    record.propsVersion = Number(version);
  }
  return record;
}

function parseGrant(reply: unknown): GrantRecord | null {
  if (!Array.isArray(reply)) return null;
  const [base, refresh, sealed, version] = reply as [string, string, string, string];
  const grant = JSON.parse(base) as GrantRecord;
  if (refresh !== "") grant.refresh = JSON.parse(refresh) as RefreshTokenState;
  return withSealedProps(grant, sealed, version);
}

/** A member of a subject index: `<grant id> <client id>` (a grant id has no space). */
const subjectMember = (grantId: string, clientId: string): string => `${grantId} ${clientId}`;

/** The live members of an index reply (`ZRANGE … WITHSCORES`), as grant id, client id and score. */
function indexEntries(reply: unknown): Array<{ grantId: string; clientId: string; expiresAt: number }> {
  const flat = reply as string[];
  const entries: Array<{ grantId: string; clientId: string; expiresAt: number }> = [];
  for (let i = 0; i < flat.length; i += 2) {
    const member = flat[i]!;
    const space = member.indexOf(" ");
    if (space === 0) continue; // the deleted-client marker
    entries.push({
      grantId: space === -1 ? member : member.slice(0, space),
      clientId: space === -1 ? "" : member.slice(space + 1),
      expiresAt: Number(flat[i + 1]),
    });
  }
  return entries;
}

/** The keys, the script runner and the steps shared by the store and the client sweep. */
function redisStore(client: RedisScriptingClient, p: string, now: () => number) {
  const key = {
    client: (id: string) => `${p}client:${id}`,
    clients: `${p}clients`,
    clientExpiry: `${p}client-expiry`,
    grantsOfClient: (id: string) => `${p}grants-of-client:${id}`,
    grantsOfSubject: (subject: string) => `${p}grants-of-subject:${subject}`,
    codesOfSubject: (subject: string) => `${p}codes-of-subject:${subject}`,
    code: (hash: string) => `${p}code:${hash}`,
    grant: (id: string) => `${p}grant:${redisKeySuffix(id)}`,
    revoked: (id: string) => `${p}revoked:${redisKeySuffix(id)}`,
    accessToken: (hash: string) => `${p}at:${redisKeySuffix(hash)}`,
    family: (hash: string) => `${p}rt:${redisKeySuffix(hash)}`,
  };
  const run = (which: Script, keys: string[], args: Array<string | number>): Promise<unknown> => runScript(client, which, keys, args);

  /**
   * Revokes one grant (one script in its slot), then drops it from the indexes of its client and
   * subject (their own slots). Returns whether a live grant was revoked.
   */
  async function revokeGrant(grantId: string, until?: number): Promise<boolean> {
    const reply = (await run(SCRIPTS.revokeGrant, [key.grant(grantId), key.revoked(grantId)], [p, grantId, until ?? "", now(), GRANT_TOMBSTONE_DEFAULT_SECONDS])) as [number, string, string];
    const [live, clientId, subject] = reply;
    if (clientId !== "") {
      await Promise.all([
        run(SCRIPTS.sortedRemove, [key.grantsOfClient(clientId)], [grantId]),
        run(SCRIPTS.sortedRemove, [key.grantsOfSubject(subject)], [subjectMember(grantId, clientId)]),
      ]);
    }
    return Number(live) === 1;
  }

  /**
   * The rest of a client's deletion once its key is gone: its count and expiry entries, and every
   * grant of it, revoked, with a marker left in its index that refuses grants still in flight.
   */
  async function afterClientDeleted(clientId: string): Promise<void> {
    const [, , grantIds] = await Promise.all([
      run(SCRIPTS.setRemove, [key.clients], [clientId]),
      run(SCRIPTS.sortedRemove, [key.clientExpiry], [clientId]),
      run(SCRIPTS.drainClientGrants, [key.grantsOfClient(clientId)], [GRANT_TOMBSTONE_DEFAULT_SECONDS]),
    ]);
    await inBatches(grantIds as string[], (grantId) => revokeGrant(grantId));
  }

  /** The sweep's step for one client: deleted (with its grants) only if its record still says so. */
  async function deleteExpiredClient(clientId: string): Promise<boolean> {
    const outcome = Number(await run(SCRIPTS.deleteExpiredClient, [key.client(clientId)], [now()]));
    if (outcome === 1) {
      await afterClientDeleted(clientId);
      return true;
    }
    // Gone, or its expiry moved: the index entry follows the record.
    const json = outcome === -1 ? null : await run(SCRIPTS.getClient, [key.client(clientId)], []);
    const expiresAt = typeof json === "string" ? (JSON.parse(json) as ClientRecord).expires_at : undefined;
    if (expiresAt === undefined) await run(SCRIPTS.sortedRemove, [key.clientExpiry], [clientId]);
    else await run(SCRIPTS.sortedAdd, [key.clientExpiry], [clientId, expiresAt]);
    return false;
  }

  return { key, run, now, revokeGrant, afterClientDeleted, deleteExpiredClient };
}

/**
 * Creates a store on Redis or Redis Cluster. Each step is one Lua script (EVALSHA, falling back to
 * EVAL once after a script-cache flush), atomic because Redis runs scripts one at a time, and each
 * script touches the keys of one hash slot: a grant and all its tokens share the grant's slot tag
 * (`src/token-format.ts`), which every token carries, so a lookup by token is one round trip on a
 * cluster too. Records expire natively (EXPIREAT from `expiresAt`); no method uses KEYS or SCAN.
 * A grant holds a constant number of keys however often it is refreshed (the grant, its refresh
 * family, its live access tokens, one entry in each index).
 *
 * Atomicity, method by method:
 * - `createClient`: SET NX; a duplicate id is refused. Then, in other slots, the count set, the
 *   expiry index and the removal of an earlier deletion's marker.
 * - `updateClient`: SET XX (replaces only an existing client), then its expiry index entry.
 * - `deleteClient`: deletes the client, then takes its grant index, leaving a marker there for a
 *   day that refuses grants still in flight, then revokes every grant in it (RFC 7592 §2.3).
 *   Several round trips, since a client and its grants live in different slots; every grant of
 *   the client ends up revoked or never created.
 * - `saveAuthorizationCode`: indexes the code under its subject, then stores it (SET-if-absent).
 * - `redeemAuthorizationCode`: reads the code and increments its redemption counter in one script;
 *   exactly one caller sees the first redemption (RFC 6749 §4.1.2).
 * - `createGrant`: indexes the grant under its client (refused, returning `false`, once the client
 *   was deleted) and its subject, then checks the id's tombstone and writes grant, refresh family
 *   and first access token in one script (both or neither; nothing for a revoked id).
 * - `saveAccessToken`: checks that the grant is live and adds the token in one script.
 * - `getAccessToken`: reads the token and checks its grant in one script (one round trip).
 * - `getGrantByRefreshFamily`: reads the family and its grant in one script (one round trip).
 * - `rotateRefreshToken`: compare-and-rotate in one script (RFC 9700 §4.14.2).
 * - `updateGrantProps`: compare-and-set of the grant's sealed props and version in one script.
 * - `revokeGrant`: tombstones the id (a string key with EXAT at its horizon) and deletes the grant
 *   and its refresh family, in one script; its access tokens are never returned again (each lookup
 *   checks the grant) and expire on their own. Then it leaves the indexes.
 * - `listSubjectGrants`: reads the subject's index, then each grant.
 * - `revokeSubjectGrants`: reads the subject's grant and code indexes, then revokes each grant and
 *   tombstones the grant id of each pending code, one atomic `revokeGrant` step per id. Not one
 *   step as a whole (the grants live in many slots), but what the contract promises holds: a grant
 *   is indexed before it is created and a code before it is saved, so every grant live when the
 *   call starts, and every grant a code pending then could create, ends up revoked.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { createRedisStorage } from "oauthkit/redis";
 *
 * const client = await createClient({ url: "redis://localhost:6379" }).connect();
 * const storage = createRedisStorage({ client });
 * ```
 *
 * On Redis Cluster, the same with a cluster client:
 * ```ts
 * import { createCluster } from "redis";
 * import { createRedisStorage } from "oauthkit/redis";
 *
 * const cluster = await createCluster({ rootNodes: [{ url: "redis://10.0.0.1:6379" }] }).connect();
 * const storage = createRedisStorage({ client: cluster });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function createRedisStorage(options: RedisStorageOptions): Storage {
  const prefix = options.prefix ?? "oauthkit:";
  const store = redisStore(options.client, prefix, options.now ?? systemNow);
  const { key, run, now } = store;

  /** Sets or clears a client's entry in the expiry index, after its record was written. */
  async function indexClientExpiry(record: ClientRecord): Promise<void> {
    if (record.expires_at === undefined) await run(SCRIPTS.sortedRemove, [key.clientExpiry], [record.client_id]);
    else await run(SCRIPTS.sortedAdd, [key.clientExpiry], [record.client_id, record.expires_at]);
  }

  return {
    async getClient(clientId) {
      const json = await run(SCRIPTS.getClient, [key.client(clientId)], []);
      return typeof json === "string" ? (JSON.parse(json) as ClientRecord) : null;
    },
    async createClient(record) {
      if ((await run(SCRIPTS.createClient, [key.client(record.client_id)], [JSON.stringify(record)])) !== 1) return false;
      // Other slots in a cluster, so separate calls: the count, the expiry index, and the marker of
      // an earlier deletion of this id (its grants are refused until it is gone).
      await Promise.all([
        run(SCRIPTS.setAdd, [key.clients], [record.client_id]),
        indexClientExpiry(record),
        run(SCRIPTS.sortedRemove, [key.grantsOfClient(record.client_id)], [scripts.DELETED_MARKER]),
      ]);
      return true;
    },
    async updateClient(record) {
      if ((await run(SCRIPTS.updateClient, [key.client(record.client_id)], [JSON.stringify(record)])) !== 1) return false;
      await indexClientExpiry(record);
      return true;
    },
    async extendClientExpiry(clientId, expiresAt) {
      // Compare-and-set on the whole JSON (Lua's cjson would not write it back as it was): read,
      // move expires_at, write only if unchanged; a concurrent update wins, and is tried over.
      for (let attempt = 0; attempt < 3; attempt++) {
        const json = await run(SCRIPTS.getClient, [key.client(clientId)], []);
        if (typeof json !== "string") return false;
        const record = JSON.parse(json) as ClientRecord;
        if (record.expires_at === undefined || record.expires_at >= expiresAt) return false;
        const extended: ClientRecord = { ...record, expires_at: expiresAt };
        if ((await run(SCRIPTS.replaceClientIfUnchanged, [key.client(clientId)], [json, JSON.stringify(extended)])) === 1) {
          await indexClientExpiry(extended);
          return true;
        }
      }
      return false;
    },
    async deleteClient(clientId) {
      if ((await run(SCRIPTS.deleteKey, [key.client(clientId)], [])) !== 1) return false;
      await store.afterClientDeleted(clientId);
      return true;
    },
    async countClients() {
      return Number(await run(SCRIPTS.countClients, [key.clients], []));
    },

    async saveAuthorizationCode(code: AuthorizationCodeRecord) {
      // Indexed first: a revokeSubjectGrants that misses the entry ran before the code existed.
      await run(SCRIPTS.indexAdd, [key.codesOfSubject(code.subject)], [subjectMember(code.grantId, code.clientId), code.expiresAt, now()]);
      await run(SCRIPTS.saveCode, [key.code(code.codeHash)], [JSON.stringify(code), code.expiresAt, now()]);
    },
    async redeemAuthorizationCode(codeHash): Promise<RedeemedAuthorizationCode | null> {
      const reply = await run(SCRIPTS.redeemCode, [key.code(codeHash)], [now()]);
      if (!Array.isArray(reply)) return null;
      const [json, redemptions] = reply as [string, number];
      return { code: JSON.parse(json) as AuthorizationCodeRecord, firstUse: Number(redemptions) === 1 };
    },

    async createGrant(grant, accessToken) {
      // The indexes first (their own slots): a grant of a client being deleted is refused here, or
      // is in the index the deletion revokes; one of a subject being revoked is in its index.
      const [byClient] = await Promise.all([
        run(SCRIPTS.indexAdd, [key.grantsOfClient(grant.clientId)], [grant.grantId, grant.expiresAt, now()]),
        run(SCRIPTS.indexAdd, [key.grantsOfSubject(grant.subject)], [subjectMember(grant.grantId, grant.clientId), grant.expiresAt, now()]),
      ]);
      if (byClient !== 1) return false;
      const fields = grantFields(grant);
      const keys = [key.grant(grant.grantId), key.revoked(grant.grantId), key.accessToken(accessToken.tokenHash)];
      if (grant.refresh !== undefined) keys.push(key.family(grant.refresh.familyHash ?? grant.refresh.tokenHash));
      const reply = await run(SCRIPTS.createGrant, keys, [
        grant.grantId,
        grant.clientId,
        fields.base,
        fields.refresh,
        fields.refreshHash,
        grant.expiresAt,
        JSON.stringify(accessToken),
        accessToken.expiresAt,
        now(),
        fields.sealedProps,
        fields.propsVersion,
        grant.subject,
      ]);
      return reply !== -1;
    },
    async saveAccessToken(accessToken: AccessTokenRecord) {
      await run(SCRIPTS.saveAccessToken, [key.grant(accessToken.grantId), key.accessToken(accessToken.tokenHash)], [
        accessToken.grantId,
        JSON.stringify(accessToken),
        accessToken.expiresAt,
        now(),
      ]);
    },
    async getAccessToken(tokenHash) {
      const reply = await run(SCRIPTS.getAccessToken, [key.accessToken(tokenHash)], [prefix, now()]);
      if (!Array.isArray(reply)) return null;
      const [json, sealed, version] = reply as [string, string, string];
      return withSealedProps(JSON.parse(json) as AccessTokenRecord, sealed, version);
    },
    async getGrantByRefreshFamily(familyHash) {
      return parseGrant(await run(SCRIPTS.getGrantByRefreshFamily, [key.family(familyHash)], [prefix, now()]));
    },
    async rotateRefreshToken(rotation: RefreshTokenRotation) {
      const reply = await run(SCRIPTS.rotateRefreshToken, [key.grant(rotation.grantId), key.accessToken(rotation.accessToken.tokenHash)], [
        rotation.grantId,
        rotation.expectedTokenHash,
        JSON.stringify(rotation.refresh),
        rotation.refresh.tokenHash,
        JSON.stringify(rotation.accessToken),
        rotation.accessToken.expiresAt,
        now(),
      ]);
      return reply === 1;
    },
    async revokeGrant(grantId, revokeOptions = {}) {
      await store.revokeGrant(grantId, revokeOptions.until);
    },
    async revokeAccessToken(tokenHash) {
      await run(SCRIPTS.deleteKey, [key.accessToken(tokenHash)], []);
    },
    async updateGrantProps(update: GrantPropsUpdate) {
      return (await run(SCRIPTS.updateGrantProps, [key.grant(update.grantId)], [update.expectedVersion, update.sealedProps, now()])) === 1;
    },

    async listSubjectGrants(subject) {
      const entries = indexEntries(await run(SCRIPTS.indexLive, [key.grantsOfSubject(subject)], [now()]));
      const grants = await inBatches(entries, async (entry) => parseGrant(await run(SCRIPTS.getGrant, [key.grant(entry.grantId)], [now()])));
      return grants.filter((grant): grant is GrantRecord => grant !== null);
    },
    async revokeSubjectGrants(subject, revokeOptions = {}) {
      const [grants, codes] = await Promise.all([
        run(SCRIPTS.indexLive, [key.grantsOfSubject(subject)], [now()]),
        run(SCRIPTS.indexLive, [key.codesOfSubject(subject)], [now()]),
      ]);
      const mine = (entry: { clientId: string }): boolean => revokeOptions.clientId === undefined || entry.clientId === revokeOptions.clientId;
      // A grant until its expiresAt; the grant id of a pending code for the default time (the grant
      // it would create is then refused, or revoked if it was created meanwhile).
      const targets = new Map<string, number | undefined>();
      for (const entry of indexEntries(codes)) if (mine(entry)) targets.set(entry.grantId, undefined);
      for (const entry of indexEntries(grants)) if (mine(entry)) targets.set(entry.grantId, entry.expiresAt);
      const revoked = await inBatches([...targets], ([grantId, until]) => store.revokeGrant(grantId, until));
      return revoked.filter(Boolean).length;
    },
  };
}
