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
 * (`createClient()` from `redis`, connected) satisfies it, so this package needs no runtime
 * dependency on `redis`; any client can be adapted in a few lines.
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
   * Prepended to every key (default `"oauthkit:"`). In Redis Cluster, put a hash tag in it
   * (`"{oauthkit}:"`): the scripts touch several keys, which must share one slot.
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
  countClients: script(scripts.COUNT_CLIENTS),
  deleteClient: script(scripts.DELETE_CLIENT),
  saveCode: script(scripts.SAVE_CODE),
  redeemCode: script(scripts.REDEEM_CODE),
  createGrant: script(scripts.CREATE_GRANT),
  saveAccessToken: script(scripts.SAVE_ACCESS_TOKEN),
  getAccessToken: script(scripts.GET_ACCESS_TOKEN),
  getGrantByRefreshToken: script(scripts.GET_GRANT_BY_REFRESH_TOKEN),
  rotateRefreshToken: script(scripts.ROTATE_REFRESH_TOKEN),
  revokeGrant: script(scripts.REVOKE_GRANT),
  revokeAccessToken: script(scripts.REVOKE_ACCESS_TOKEN),
  updateGrantProps: script(scripts.UPDATE_GRANT_PROPS),
  listSubjectGrants: script(scripts.LIST_SUBJECT_GRANTS),
  revokeSubjectGrants: script(scripts.REVOKE_SUBJECT_GRANTS),
  sweepExpiredClients: script(scripts.SWEEP_EXPIRED_CLIENTS),
} as const;

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
  /** Clients deleted per script call (default 100), so that one call never blocks Redis long. */
  batchSize?: number;
}

/**
 * Deletes dynamically registered clients past their `expires_at` (`registration.unusedClientLifetime`),
 * each with its grants as `deleteClient` does (RFC 7592 §2.3), and returns how many. Everything
 * else in the Redis store expires natively; clients do not, since a used client's expiry moves.
 * Run it on a schedule (a timer in one instance); a failure rejects.
 *
 * @example
 * ```ts
 * setInterval(() => void sweepExpiredClients({ client }).catch((error) => console.error("sweep", error)), 10 * 60_000);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3
 */
export async function sweepExpiredClients(options: RedisSweepOptions): Promise<number> {
  const p = options.prefix ?? "oauthkit:";
  const now = (options.now ?? systemNow)();
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError("sweepExpiredClients: batchSize must be a positive integer");
  let total = 0;
  for (;;) {
    const deleted = Number(await runScript(options.client, SCRIPTS.sweepExpiredClients, [`${p}client-expiry`], [p, now, batchSize]));
    total += deleted;
    if (deleted < batchSize) return total;
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

/**
 * Creates a store on Redis. Every method is one round trip: one Lua script (EVALSHA, falling back
 * to EVAL once after a script-cache flush), atomic because Redis runs scripts one at a time.
 * Records expire natively (EXPIREAT from `expiresAt`); no method uses KEYS or SCAN.
 *
 * Atomicity, method by method:
 * - `createClient`: SET NX and the count set in one script; a duplicate id is refused.
 * - `updateClient`: SET XX (replaces only an existing client).
 * - `deleteClient`: deletes the client and revokes all its grants in one script (RFC 7592 §2.3).
 * - `redeemAuthorizationCode`: reads the code and increments its redemption counter in one script;
 *   exactly one caller sees the first redemption (RFC 6749 §4.1.2).
 * - `createGrant`: checks the id's tombstone, then writes grant, refresh index and first access
 *   token, in one script (both or neither; nothing for a revoked id).
 * - `saveAccessToken`: checks that the grant is live and adds the token in one script.
 * - `getAccessToken`: reads the token and checks its grant in one script (one round trip).
 * - `rotateRefreshToken`: compare-and-rotate in one script (RFC 9700 §4.14.2).
 * - `updateGrantProps`: compare-and-set of the grant's sealed props and version in one script.
 * - `revokeGrant`: tombstones the id (a string key with EXAT at its horizon) and deletes the grant
 *   and every key in its token set, in one script.
 * - `listSubjectGrants`: reads the subject's grant-id set and each grant in one script.
 * - `revokeSubjectGrants`: revokes and tombstones every grant of the subject's set and the grant id
 *   of every pending code in its code set, in one script.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { createRedisStorage } from "oauthkit/redis";
 *
 * const client = await createClient({ url: "redis://localhost:6379" }).connect();
 * const storage = createRedisStorage({ client });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function createRedisStorage(options: RedisStorageOptions): Storage {
  const { client } = options;
  const p = options.prefix ?? "oauthkit:";
  const now = options.now ?? systemNow;
  const key = {
    client: (id: string) => `${p}client:${id}`,
    clients: `${p}clients`,
    clientExpiry: `${p}client-expiry`,
    clientGrants: (id: string) => `${p}client-grants:${id}`,
    code: (hash: string) => `${p}code:${hash}`,
    grant: (id: string) => `${p}grant:${id}`,
    accessToken: (hash: string) => `${p}at:${hash}`,
    refreshToken: (hash: string) => `${p}rt:${hash}`,
    subjectGrants: (subject: string) => `${p}subject-grants:${subject}`,
    subjectCodes: (subject: string) => `${p}subject-codes:${subject}`,
  };

  const run = (which: Script, keys: string[], args: Array<string | number>): Promise<unknown> => runScript(client, which, keys, args);

  return {
    async getClient(clientId) {
      const json = await run(SCRIPTS.getClient, [key.client(clientId)], []);
      return typeof json === "string" ? (JSON.parse(json) as ClientRecord) : null;
    },
    async createClient(record) {
      const keys = [key.client(record.client_id), key.clients, key.clientExpiry];
      return (await run(SCRIPTS.createClient, keys, [JSON.stringify(record), record.client_id, record.expires_at ?? ""])) === 1;
    },
    async updateClient(record) {
      const keys = [key.client(record.client_id), key.clientExpiry];
      return (await run(SCRIPTS.updateClient, keys, [JSON.stringify(record), record.client_id, record.expires_at ?? ""])) === 1;
    },
    async deleteClient(clientId) {
      const keys = [key.client(clientId), key.clients, key.clientGrants(clientId)];
      return (await run(SCRIPTS.deleteClient, keys, [p, clientId])) === 1;
    },
    async countClients() {
      return Number(await run(SCRIPTS.countClients, [key.clients], []));
    },

    async saveAuthorizationCode(code: AuthorizationCodeRecord) {
      await run(SCRIPTS.saveCode, [key.code(code.codeHash)], [JSON.stringify(code), code.expiresAt, now(), p, code.subject]);
    },
    async redeemAuthorizationCode(codeHash): Promise<RedeemedAuthorizationCode | null> {
      const reply = await run(SCRIPTS.redeemCode, [key.code(codeHash)], [now()]);
      if (!Array.isArray(reply)) return null;
      const [json, redemptions] = reply as [string, number];
      return { code: JSON.parse(json) as AuthorizationCodeRecord, firstUse: Number(redemptions) === 1 };
    },

    async createGrant(grant, accessToken) {
      const fields = grantFields(grant);
      const reply = await run(SCRIPTS.createGrant, [key.grant(grant.grantId)], [
        p,
        grant.grantId,
        grant.clientId,
        fields.base,
        fields.refresh,
        fields.refreshHash,
        grant.expiresAt,
        accessToken.tokenHash,
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
      await run(SCRIPTS.saveAccessToken, [key.grant(accessToken.grantId)], [
        p,
        accessToken.grantId,
        accessToken.tokenHash,
        JSON.stringify(accessToken),
        accessToken.expiresAt,
        now(),
      ]);
    },
    async getAccessToken(tokenHash) {
      const reply = await run(SCRIPTS.getAccessToken, [key.accessToken(tokenHash)], [p, now()]);
      if (!Array.isArray(reply)) return null;
      const [json, sealed, version] = reply as [string, string, string];
      return withSealedProps(JSON.parse(json) as AccessTokenRecord, sealed, version);
    },
    async getGrantByRefreshToken(tokenHash) {
      return parseGrant(await run(SCRIPTS.getGrantByRefreshToken, [key.refreshToken(tokenHash)], [p, now()]));
    },
    async rotateRefreshToken(rotation: RefreshTokenRotation) {
      const reply = await run(SCRIPTS.rotateRefreshToken, [key.grant(rotation.grantId)], [
        p,
        rotation.grantId,
        rotation.expectedTokenHash,
        JSON.stringify(rotation.refresh),
        rotation.refresh.tokenHash,
        rotation.accessToken.tokenHash,
        JSON.stringify(rotation.accessToken),
        rotation.accessToken.expiresAt,
        now(),
      ]);
      return reply === 1;
    },
    async revokeGrant(grantId, revokeOptions = {}) {
      await run(SCRIPTS.revokeGrant, [key.grant(grantId)], [p, grantId, revokeOptions.until ?? "", now(), GRANT_TOMBSTONE_DEFAULT_SECONDS]);
    },
    async revokeAccessToken(tokenHash) {
      await run(SCRIPTS.revokeAccessToken, [key.accessToken(tokenHash)], [p]);
    },
    async updateGrantProps(update: GrantPropsUpdate) {
      return (await run(SCRIPTS.updateGrantProps, [key.grant(update.grantId)], [update.expectedVersion, update.sealedProps, now()])) === 1;
    },

    async listSubjectGrants(subject) {
      const reply = await run(SCRIPTS.listSubjectGrants, [key.subjectGrants(subject)], [p, now()]);
      const list: GrantRecord[] = [];
      const pairs = reply as string[];
      // Listing needs no props: the pairs carry none.
      for (let i = 0; i < pairs.length; i += 2) list.push(parseGrant([pairs[i], pairs[i + 1], "", "0"])!);
      return list;
    },
    async revokeSubjectGrants(subject, revokeOptions = {}) {
      const keys = [key.subjectGrants(subject), key.subjectCodes(subject)];
      return Number(await run(SCRIPTS.revokeSubjectGrants, keys, [p, revokeOptions.clientId ?? "", now(), GRANT_TOMBSTONE_DEFAULT_SECONDS]));
    },
  };
}
