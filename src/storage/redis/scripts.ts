/**
 * The Lua scripts of the Redis store. Each runs atomically on the server (Redis executes one
 * script at a time), which is what makes take-and-mark, compare-and-rotate and revocation single
 * round trips that no concurrent caller can interleave with.
 *
 * Key layout (P is the prefix):
 * - `P client:<id>`            string, the client's JSON
 * - `P clients`                set of client ids (countClients)
 * - `P client-expiry`          sorted set of the ids of clients with an `expires_at`, scored by it (sweepExpiredClients)
 * - `P code:<hash>`            hash { r: record JSON, e: expiresAt, n: redemptions }
 * - `P grant:<id>`             hash { b: grant JSON without refresh and sealed props, f: refresh JSON, h: current refresh hash, e: expiresAt, c: client id, p: sealed props or '', v: props version, s: subject }
 * - `P grant-keys:<id>`        set of the `at:` and `rt:` keys of the grant (revocation reaches them all)
 * - `P client-grants:<id>`     set of grant ids of a client (deleteClient, RFC 7592 §2.3)
 * - `P subject-grants:<sub>`   set of grant ids of a subject (listSubjectGrants, revokeSubjectGrants)
 * - `P subject-codes:<sub>`    set of the `code:` keys of a subject (revokeSubjectGrants tombstones their grant ids)
 * - `P at:<hash>`              hash { g: grant id, r: record JSON, e: expiresAt }
 * - `P rt:<hash>`              string, the grant id (every refresh hash ever issued: reuse detection)
 * - `P revoked:<id>`           string, the tombstone horizon of a revoked grant id (createGrant refuses the id until then)
 *
 * Every key carries a native expiry (EXPIREAT) derived from `expiresAt`, so Redis itself drops
 * what has expired; the scripts also compare `expiresAt` with the caller's clock, so nothing is
 * returned in the last second before Redis gets to it. The first key of each script is in KEYS so
 * that a cluster client routes the call; the others are derived from the prefix (ARGV[1]), which
 * in a cluster must contain a hash tag so that all keys share one slot.
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
local function add_access_token(p, gid, grant_exp, hash, json, exp)
  local key = p .. 'at:' .. hash
  redis.call('DEL', key)
  redis.call('HSET', key, 'g', gid, 'r', json, 'e', exp)
  expire_at(key, math.min(tonumber(exp), tonumber(grant_exp)))
  local tokens = p .. 'grant-keys:' .. gid
  redis.call('SADD', tokens, key)
  extend(tokens, grant_exp)
end
local function revoke(p, gid)
  local tokens = p .. 'grant-keys:' .. gid
  local keys = redis.call('SMEMBERS', tokens)
  -- DEL in chunks: unpack() of a very large table would overflow the Lua stack.
  for i = 1, #keys, 500 do redis.call('DEL', unpack(keys, i, math.min(i + 499, #keys))) end
  local grant = p .. 'grant:' .. gid
  local owner = redis.call('HMGET', grant, 'c', 's')
  if owner[1] then redis.call('SREM', p .. 'client-grants:' .. owner[1], gid) end
  if owner[2] then redis.call('SREM', p .. 'subject-grants:' .. owner[2], gid) end
  redis.call('DEL', tokens, grant)
end
-- The tombstone of a revoked grant id (storage contract): never shortened.
local function tombstone(p, gid, horizon, now)
  local key = p .. 'revoked:' .. gid
  local previous = redis.call('GET', key)
  if previous then horizon = math.max(horizon, tonumber(previous)) end
  if horizon > now then
    horizon = string.format('%d', math.ceil(horizon))
    redis.call('SET', key, horizon, 'EXAT', horizon)
  end
end
`;

/** KEYS: client key, clients set, client-expiry sorted set. ARGV: JSON, client id, expires_at or ''. */
export const CREATE_CLIENT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SADD', KEYS[2], ARGV[2])
  if ARGV[3] ~= '' then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2]) end
  return 1
end
return 0`;

/**
 * KEYS: client key, client-expiry sorted set. ARGV: JSON, client id, expires_at or ''. SET XX:
 * replaces only an existing client; its expiry entry follows the record.
 */
export const UPDATE_CLIENT = `
if redis.call('SET', KEYS[1], ARGV[1], 'XX') then
  if ARGV[3] ~= '' then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2]) else redis.call('ZREM', KEYS[2], ARGV[2]) end
  return 1
end
return 0`;

/** KEYS: client key. */
export const GET_CLIENT = `return redis.call('GET', KEYS[1])`;

/** KEYS: clients set. */
export const COUNT_CLIENTS = `return redis.call('SCARD', KEYS[1])`;

/** KEYS: client key, clients set, client-grants set. ARGV: prefix, client id. */
export const DELETE_CLIENT = `${HELPERS}
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('ZREM', ARGV[1] .. 'client-expiry', ARGV[2])
for _, gid in ipairs(redis.call('SMEMBERS', KEYS[3])) do revoke(ARGV[1], gid) end
redis.call('DEL', KEYS[3])
return 1`;

/**
 * KEYS: client-expiry sorted set. ARGV: prefix, now, limit. Deletes up to limit clients whose
 * expires_at has passed, each with its grants as DELETE_CLIENT does (RFC 7592 §2.3); returns how many.
 */
export const SWEEP_EXPIRED_CLIENTS = `${HELPERS}
local p = ARGV[1]
local ids = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[2], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('DEL', p .. 'client:' .. id)
  redis.call('SREM', p .. 'clients', id)
  local by_client = p .. 'client-grants:' .. id
  for _, gid in ipairs(redis.call('SMEMBERS', by_client)) do revoke(p, gid) end
  redis.call('DEL', by_client)
  redis.call('ZREM', KEYS[1], id)
end
return #ids`;

/**
 * KEYS: code key. ARGV: record JSON, expiresAt, now, prefix, subject. Never overwrites an existing
 * code: that would reset its redemption counter and make a used code usable again. Indexes the
 * code under its subject, so that revokeSubjectGrants reaches it while it is pending.
 */
export const SAVE_CODE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if tonumber(ARGV[2]) <= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 'e', ARGV[2], 'n', 0)
redis.call('EXPIREAT', KEYS[1], ARGV[2])
local by_subject = ARGV[4] .. 'subject-codes:' .. ARGV[5]
redis.call('SADD', by_subject, KEYS[1])
extend(by_subject, ARGV[2])
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
 * KEYS: grant key. ARGV: prefix, grant id, client id, grant JSON (without refresh and sealed
 * props), refresh JSON or '', refresh hash or '', grant expiresAt, access-token hash, access-token
 * JSON, access-token expiresAt, now, sealed props or '', props version, subject. Returns -1, writing nothing, while the grant id is tombstoned (revoked): the
 * check and the writes are one script, so a revocation cannot slip in between.
 */
export const CREATE_GRANT = `${HELPERS}
local p, gid, exp, now = ARGV[1], ARGV[2], ARGV[7], tonumber(ARGV[11])
local tombstone = redis.call('GET', p .. 'revoked:' .. gid)
if tombstone and tonumber(tombstone) > now then return -1 end
if tonumber(exp) <= now then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'b', ARGV[4], 'f', ARGV[5], 'h', ARGV[6], 'e', exp, 'c', ARGV[3], 'p', ARGV[12], 'v', ARGV[13], 's', ARGV[14])
expire_at(KEYS[1], exp)
if ARGV[6] ~= '' then
  local rt = p .. 'rt:' .. ARGV[6]
  redis.call('SET', rt, gid)
  expire_at(rt, exp)
  redis.call('SADD', p .. 'grant-keys:' .. gid, rt)
end
if tonumber(ARGV[10]) > now then add_access_token(p, gid, exp, ARGV[8], ARGV[9], ARGV[10]) end
extend(p .. 'grant-keys:' .. gid, exp)
local by_client = p .. 'client-grants:' .. ARGV[3]
redis.call('SADD', by_client, gid)
extend(by_client, exp)
local by_subject = p .. 'subject-grants:' .. ARGV[14]
redis.call('SADD', by_subject, gid)
extend(by_subject, exp)
return 1`;

/**
 * KEYS: grant key. ARGV: prefix, grant id, access-token hash, JSON, expiresAt, now. Checks the
 * grant in the same script, so a token is never added to a revoked grant.
 */
export const SAVE_ACCESS_TOKEN = `${HELPERS}
local now = tonumber(ARGV[6])
local exp = redis.call('HGET', KEYS[1], 'e')
if not exp or tonumber(exp) <= now or tonumber(ARGV[5]) <= now then return 0 end
add_access_token(ARGV[1], ARGV[2], exp, ARGV[3], ARGV[4], ARGV[5])
return 1`;

/**
 * KEYS: access-token key. ARGV: prefix, now. The token and its grant in one round trip: a revoked
 * or expired grant hides its tokens even before their own keys are gone. Returns the token's JSON
 * with the grant's sealed props and version (they live on the grant only).
 */
export const GET_ACCESS_TOKEN = `
local now = tonumber(ARGV[2])
local token = redis.call('HMGET', KEYS[1], 'g', 'r', 'e')
if not token[1] or tonumber(token[3]) <= now then return false end
local grant = redis.call('HMGET', ARGV[1] .. 'grant:' .. token[1], 'e', 'p', 'v')
if not grant[1] or tonumber(grant[1]) <= now then return false end
return { token[2], grant[2] or '', grant[3] or '0' }`;

/** KEYS: refresh key. ARGV: prefix, now. */
export const GET_GRANT_BY_REFRESH_TOKEN = `
local gid = redis.call('GET', KEYS[1])
if not gid then return false end
local grant = redis.call('HMGET', ARGV[1] .. 'grant:' .. gid, 'b', 'f', 'e', 'p', 'v')
if not grant[1] or tonumber(grant[3]) <= tonumber(ARGV[2]) then return false end
return { grant[1], grant[2], grant[4] or '', grant[5] or '0' }`;

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
 * KEYS: grant key. ARGV: prefix, grant id, expected hash, refresh JSON, new hash, access-token
 * hash, access-token JSON, access-token expiresAt, now. Compare-and-rotate (RFC 9700 §4.14.2):
 * the comparison and every write happen in one script.
 */
export const ROTATE_REFRESH_TOKEN = `${HELPERS}
local p, gid, now = ARGV[1], ARGV[2], tonumber(ARGV[9])
local grant = redis.call('HMGET', KEYS[1], 'h', 'e')
if not grant[1] or grant[1] == '' or grant[1] ~= ARGV[3] or tonumber(grant[2]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'f', ARGV[4], 'h', ARGV[5])
local rt = p .. 'rt:' .. ARGV[5]
redis.call('SET', rt, gid)
expire_at(rt, grant[2])
redis.call('SADD', p .. 'grant-keys:' .. gid, rt)
extend(p .. 'grant-keys:' .. gid, grant[2])
if tonumber(ARGV[8]) > now then add_access_token(p, gid, grant[2], ARGV[6], ARGV[7], ARGV[8]) end
return 1`;

/**
 * KEYS: grant key. ARGV: prefix, grant id, until or '', now, default tombstone seconds. Revokes
 * the grant and tombstones its id (storage contract): until the latest of `until`, the grant's
 * expiresAt, or — neither known — now + default; an existing later tombstone is kept.
 */
export const REVOKE_GRANT = `${HELPERS}
local p, gid, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
local horizon = -1
local exp = redis.call('HGET', KEYS[1], 'e')
if exp then horizon = tonumber(exp) elseif ARGV[3] == '' then horizon = now + tonumber(ARGV[5]) end
if ARGV[3] ~= '' then horizon = math.max(horizon, tonumber(ARGV[3])) end
tombstone(p, gid, horizon, now)
revoke(p, gid)
return 1`;

/** KEYS: access-token key. ARGV: prefix. */
export const REVOKE_ACCESS_TOKEN = `
local gid = redis.call('HGET', KEYS[1], 'g')
if not gid then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. 'grant-keys:' .. gid, KEYS[1])
return 1`;

/**
 * KEYS: subject-grants set. ARGV: prefix, now. Returns the live grants as a flat list of
 * (grant JSON, refresh JSON) pairs; ids whose grant is gone (expired) leave the set on the way.
 */
export const LIST_SUBJECT_GRANTS = `
local p, now = ARGV[1], tonumber(ARGV[2])
local out = {}
for _, gid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local grant = redis.call('HMGET', p .. 'grant:' .. gid, 'b', 'f', 'e')
  if not grant[1] then
    redis.call('SREM', KEYS[1], gid)
  elseif tonumber(grant[3]) > now then
    table.insert(out, grant[1])
    table.insert(out, grant[2])
  end
end
return out`;

/**
 * KEYS: subject-grants set, subject-codes set. ARGV: prefix, client id or '', now, default
 * tombstone seconds. Revokes the subject's live grants (of that client only, if given), each
 * tombstoned until its expiresAt, and tombstones the grant id of each unexpired code of the
 * subject (and client) for the default time, all in one script: a redemption runs wholly before
 * or wholly after it. Returns the number of live grants revoked.
 */
export const REVOKE_SUBJECT_GRANTS = `${HELPERS}
local p, client, now, default = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local count = 0
for _, gid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local grant = redis.call('HMGET', p .. 'grant:' .. gid, 'c', 'e')
  if not grant[1] then
    redis.call('SREM', KEYS[1], gid)
  elseif client == '' or grant[1] == client then
    if tonumber(grant[2]) > now then count = count + 1 end
    tombstone(p, gid, tonumber(grant[2]), now)
    revoke(p, gid)
  end
end
for _, key in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local code = redis.call('HMGET', key, 'r', 'e')
  if not code[1] or tonumber(code[2]) <= now then
    redis.call('SREM', KEYS[2], key)
  else
    local record = cjson.decode(code[1])
    if client == '' or record.clientId == client then
      tombstone(p, record.grantId, now + default, now)
      revoke(p, record.grantId)
    end
  end
end
return count`;
