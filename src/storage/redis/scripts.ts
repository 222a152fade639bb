/**
 * The Lua scripts of the Redis store. Each runs atomically on the server (Redis executes one
 * script at a time), which is what makes take-and-mark, compare-and-rotate and revocation single
 * round trips that no concurrent caller can interleave with.
 *
 * Every script touches the keys of one hash slot only, so the store works on Redis Cluster. Key
 * layout (P is the prefix; `{t}` is the slot tag of a grant, see `src/token-format.ts`: every key
 * of a grant and of its tokens has it, so they share one slot):
 * - `P client:<id>`                string, the client's JSON
 * - `P clients`                    set of client ids (countClients)
 * - `P client-expiry`              sorted set: client id → its `expires_at` (sweepExpiredClients)
 * - `P grants-of-client:<id>`      sorted set: grant id → grant expiresAt (deleteClient, RFC 7592 §2.3);
 *                                  after deleteClient only the member `DELETED_MARKER`, for a day,
 *                                  which refuses grants of the deleted client still in flight
 * - `P grants-of-subject:<sub>`    sorted set: `<grant id> <client id>` → grant expiresAt
 * - `P codes-of-subject:<sub>`     sorted set: `<grant id> <client id>` → code expiresAt
 *                                  (revokeSubjectGrants tombstones the grant ids of pending codes)
 * - `P code:<hash>`                hash { r: record JSON, e: expiresAt, n: redemptions }
 * - `P grant:{t}.<id>`             hash { b: grant JSON without refresh and sealed props, f: refresh
 *                                  JSON, h: current refresh hash, e: expiresAt, c: client id,
 *                                  s: subject, k: family key, p: sealed props or '', v: props version }
 * - `P rt:{t}.<family hash>`       string, the grant id: its refresh family (one key per grant)
 * - `P at:{t}.<hash>`              hash { g: grant id, r: record JSON, e: expiresAt }
 * - `P revoked:{t}.<id>`           string, the tombstone horizon of a revoked grant id
 *
 * A grant's access tokens are listed nowhere: a token is returned only while its grant key exists,
 * so revocation deletes the grant key and the tokens expire on their own. With one family key per
 * grant, the keys of a grant stay bounded however often it is refreshed. Ids and hashes without a
 * slot tag (issued by versions before tags) have keys without braces; such a grant's
 * `P grant-keys:<id>` set (its `at:` and `rt:` keys) is still emptied when it is revoked.
 *
 * The indexes (by client, by subject) live in other slots than the grants; the store updates them
 * in calls of their own, in an order that keeps every guarantee (see `index.ts`). Their members are
 * scored by expiry, so each addition first drops the expired ones: an index holds live entries only,
 * however long it is used.
 *
 * Every key carries a native expiry (EXPIREAT) derived from `expiresAt`, so Redis itself drops
 * what has expired; the scripts also compare `expiresAt` with the caller's clock, so nothing is
 * returned in the last second before Redis gets to it. Every key a script touches is in its KEYS
 * or derived from one in the same slot (`slotted` below mirrors `redisKeySuffix` of index.ts).
 *
 * @module
 */

// Shared helpers, prepended to every script that needs them.
const HELPERS = `
local function expire_at(key, at)
  redis.call('EXPIREAT', key, at)
end
local function extend(key, at)
  local current = redis.call('EXPIRETIME', key)
  if current == -1 or current < tonumber(at) then redis.call('EXPIREAT', key, at) end
end
local function slotted(value)
  if string.sub(value, 5, 5) == '.' and string.find(string.sub(value, 1, 4), '^[%w_%-]+$') then
    return '{' .. string.sub(value, 1, 4) .. '}' .. string.sub(value, 5)
  end
  return value
end
local function add_access_token(key, gid, grant_exp, json, exp)
  redis.call('DEL', key)
  redis.call('HSET', key, 'g', gid, 'r', json, 'e', exp)
  expire_at(key, math.min(tonumber(exp), tonumber(grant_exp)))
end
`;

/** The member of `grants-of-client:<id>` that marks a deleted client (never a grant id: it has a space). */
export const DELETED_MARKER = " deleted";

/** KEYS: client key. ARGV: JSON. SET NX: a duplicate id is refused. */
export const CREATE_CLIENT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 1 end
return 0`;

/** KEYS: client key. ARGV: JSON. SET XX: replaces only an existing client. */
export const UPDATE_CLIENT = `
if redis.call('SET', KEYS[1], ARGV[1], 'XX') then return 1 end
return 0`;

/**
 * KEYS: client key. ARGV: the JSON read before, the JSON to write. Compare-and-set: writes only if
 * the client is still exactly as read, so a concurrent update is never overwritten.
 */
export const REPLACE_CLIENT_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

/** KEYS: client key. */
export const GET_CLIENT = `return redis.call('GET', KEYS[1])`;

/** KEYS: clients set. */
export const COUNT_CLIENTS = `return redis.call('SCARD', KEYS[1])`;

/** KEYS: any key. Returns 1 if it existed. */
export const DELETE_KEY = `return redis.call('DEL', KEYS[1])`;

/**
 * KEYS: client key. ARGV: now. Deletes the client only if its record's `expires_at` has passed
 * (an update may have moved it since the sweep read the expiry index). Returns 1 when deleted, 0
 * when the client is live, -1 when it is gone.
 */
export const DELETE_EXPIRED_CLIENT = `
local json = redis.call('GET', KEYS[1])
if not json then return -1 end
local at = cjson.decode(json).expires_at
if type(at) ~= 'number' or at > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/** KEYS: a set. ARGV: member. */
export const SET_ADD = `return redis.call('SADD', KEYS[1], ARGV[1])`;

/** KEYS: a set. ARGV: member. */
export const SET_REMOVE = `return redis.call('SREM', KEYS[1], ARGV[1])`;

/** KEYS: a sorted set. ARGV: member, score. */
export const SORTED_ADD = `return redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])`;

/** KEYS: a sorted set. ARGV: member. */
export const SORTED_REMOVE = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

/** KEYS: client-expiry sorted set. ARGV: now, limit. The ids of up to `limit` clients past their expiry. */
export const EXPIRED_CLIENTS = `return redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))`;

/**
 * KEYS: an index (sorted set). ARGV: member, expiresAt, now. Drops the expired members, then adds
 * this one, unless the index carries the deleted-client marker: then returns 0, so a grant in
 * flight while its client is deleted is never created (RFC 7592 §2.3).
 */
export const INDEX_ADD = `${HELPERS}
if redis.call('ZSCORE', KEYS[1], '${DELETED_MARKER}') then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
extend(KEYS[1], ARGV[2])
return 1`;

/** KEYS: an index (sorted set). ARGV: now. Drops the expired members and returns the others. */
export const INDEX_LIVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')`;

/**
 * KEYS: grants-of-client index. ARGV: marker lifetime in seconds. Returns the client's grant ids
 * and leaves only the deleted-client marker, so that a grant added later is refused.
 */
export const DRAIN_CLIENT_GRANTS = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
redis.call('ZADD', KEYS[1], '+inf', '${DELETED_MARKER}')
redis.call('EXPIRE', KEYS[1], ARGV[1])
local grants = {}
for _, id in ipairs(ids) do if id ~= '${DELETED_MARKER}' then table.insert(grants, id) end end
return grants`;

/**
 * KEYS: code key. ARGV: record JSON, expiresAt, now. Never overwrites an existing code: that
 * would reset its redemption counter and make a used code usable again.
 */
export const SAVE_CODE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if tonumber(ARGV[2]) <= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 'e', ARGV[2], 'n', 0)
redis.call('EXPIREAT', KEYS[1], ARGV[2])
return 1`;

/**
 * KEYS: code key. ARGV: now. Take-and-mark: the redemption counter is incremented in the same
 * script that reads the record, so exactly one caller sees 1 (RFC 6749 §4.1.2).
 */
export const REDEEM_CODE = `
local code = redis.call('HMGET', KEYS[1], 'r', 'e')
if not code[1] or tonumber(code[2]) <= tonumber(ARGV[1]) then return false end
return { code[1], redis.call('HINCRBY', KEYS[1], 'n', 1) }`;

/**
 * KEYS: grant key, tombstone key, access-token key, family key (absent without a refresh token).
 * ARGV: grant id, client id, grant JSON (without refresh and sealed props), refresh JSON or '',
 * refresh hash or '', grant expiresAt, access-token JSON, access-token expiresAt, now, sealed props
 * or '', props version, subject. Returns -1, writing nothing, while the grant id is tombstoned
 * (revoked): the check and the writes are one script, so a revocation cannot slip in between.
 */
export const CREATE_GRANT = `${HELPERS}
local gid, exp, now = ARGV[1], ARGV[6], tonumber(ARGV[9])
local tombstone = redis.call('GET', KEYS[2])
if tombstone and tonumber(tombstone) > now then return -1 end
if tonumber(exp) <= now then return 0 end
local family = KEYS[4] or ''
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'b', ARGV[3], 'f', ARGV[4], 'h', ARGV[5], 'e', exp, 'c', ARGV[2], 's', ARGV[12], 'k', family, 'p', ARGV[10], 'v', ARGV[11])
expire_at(KEYS[1], exp)
if family ~= '' then
  redis.call('SET', family, gid)
  expire_at(family, exp)
end
if tonumber(ARGV[8]) > now then add_access_token(KEYS[3], gid, exp, ARGV[7], ARGV[8]) end
return 1`;

/**
 * KEYS: grant key, access-token key. ARGV: grant id, JSON, expiresAt, now. Checks the grant in the
 * same script, so a token is never added to a revoked grant.
 */
export const SAVE_ACCESS_TOKEN = `${HELPERS}
local now = tonumber(ARGV[4])
local exp = redis.call('HGET', KEYS[1], 'e')
if not exp or tonumber(exp) <= now or tonumber(ARGV[3]) <= now then return 0 end
add_access_token(KEYS[2], ARGV[1], exp, ARGV[2], ARGV[3])
return 1`;

/**
 * KEYS: access-token key. ARGV: prefix, now. The token and its grant (same slot) in one round
 * trip: a revoked or expired grant hides its tokens even before their own keys are gone. Returns
 * the token's JSON with the grant's sealed props and version (they live on the grant only).
 */
export const GET_ACCESS_TOKEN = `${HELPERS}
local now = tonumber(ARGV[2])
local token = redis.call('HMGET', KEYS[1], 'g', 'r', 'e')
if not token[1] or tonumber(token[3]) <= now then return false end
local grant = redis.call('HMGET', ARGV[1] .. 'grant:' .. slotted(token[1]), 'e', 'p', 'v')
if not grant[1] or tonumber(grant[1]) <= now then return false end
return { token[2], grant[2] or '', grant[3] or '0' }`;

/** KEYS: family key. ARGV: prefix, now. The family and its grant (same slot) in one round trip. */
export const GET_GRANT_BY_REFRESH_FAMILY = `${HELPERS}
local gid = redis.call('GET', KEYS[1])
if not gid then return false end
local grant = redis.call('HMGET', ARGV[1] .. 'grant:' .. slotted(gid), 'b', 'f', 'e', 'p', 'v')
if not grant[1] or tonumber(grant[3]) <= tonumber(ARGV[2]) then return false end
return { grant[1], grant[2], grant[4] or '', grant[5] or '0' }`;

/** KEYS: grant key. ARGV: now. The live grant, without its props (listing needs none). */
export const GET_GRANT = `
local grant = redis.call('HMGET', KEYS[1], 'b', 'f', 'e')
if not grant[1] or tonumber(grant[3]) <= tonumber(ARGV[1]) then return false end
return { grant[1], grant[2], '', '0' }`;

/**
 * KEYS: grant key. ARGV: expected version, sealed props, now. Compare-and-set of the grant's sealed
 * props: the comparison and the write happen in one script, so of concurrent updates expecting one
 * version exactly one succeeds. A revoked grant's key is gone, so it is refused too.
 */
export const UPDATE_GRANT_PROPS = `
local grant = redis.call('HMGET', KEYS[1], 'e', 'v')
if not grant[1] or tonumber(grant[1]) <= tonumber(ARGV[3]) then return 0 end
if tonumber(grant[2] or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'p', ARGV[2], 'v', tonumber(ARGV[1]) + 1)
return 1`;

/**
 * KEYS: grant key, access-token key. ARGV: grant id, expected hash, refresh JSON, new hash,
 * access-token JSON, access-token expiresAt, now. Compare-and-rotate (RFC 9700 §4.14.2): the
 * comparison and every write happen in one script; the family key is untouched, so a rotation adds
 * nothing but the access token.
 */
export const ROTATE_REFRESH_TOKEN = `${HELPERS}
local now = tonumber(ARGV[7])
local grant = redis.call('HMGET', KEYS[1], 'h', 'e')
if not grant[1] or grant[1] == '' or grant[1] ~= ARGV[2] or tonumber(grant[2]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'f', ARGV[3], 'h', ARGV[4])
if tonumber(ARGV[6]) > now then add_access_token(KEYS[2], ARGV[1], grant[2], ARGV[5], ARGV[6]) end
return 1`;

/**
 * KEYS: grant key, tombstone key. ARGV: prefix, grant id, until or '', now, default tombstone
 * seconds. Revokes the grant and tombstones its id (storage contract): until the latest of
 * `until`, the grant's expiresAt, or — neither known — now + default; an existing later tombstone
 * is kept. Returns { 1 if a live grant was revoked else 0, its client id, its subject } (the ids
 * '' when there was no grant), so the caller can drop it from the indexes.
 */
export const REVOKE_GRANT = `${HELPERS}
local p, gid, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
local grant = redis.call('HMGET', KEYS[1], 'e', 'c', 's', 'k')
local horizon = -1
if grant[1] then horizon = tonumber(grant[1]) elseif ARGV[3] == '' then horizon = now + tonumber(ARGV[5]) end
if ARGV[3] ~= '' then horizon = math.max(horizon, tonumber(ARGV[3])) end
local previous = redis.call('GET', KEYS[2])
if previous then horizon = math.max(horizon, tonumber(previous)) end
if horizon > now then
  horizon = string.format('%d', math.ceil(horizon))
  redis.call('SET', KEYS[2], horizon, 'EXAT', horizon)
end
if grant[4] and grant[4] ~= '' then redis.call('DEL', grant[4]) end
if slotted(gid) == gid then
  -- A grant of a version before slot tags lists its token keys (one slot: such a store is not a cluster).
  local tokens = p .. 'grant-keys:' .. gid
  local keys = redis.call('SMEMBERS', tokens)
  -- DEL in chunks: unpack() of a very large table would overflow the Lua stack.
  for i = 1, #keys, 500 do redis.call('DEL', unpack(keys, i, math.min(i + 499, #keys))) end
  redis.call('DEL', tokens)
end
redis.call('DEL', KEYS[1])
local live = 0
if grant[1] and tonumber(grant[1]) > now then live = 1 end
return { live, grant[2] or '', grant[3] or '' }`;
