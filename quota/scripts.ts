// The Redis side of the quota authority: Lua scripts, each one atomic on the server (no
// read-modify-write across a round trip), on Redis's own clock (`TIME`), so processes on several
// hosts share one notion of "the last 60 s".
//
// Keys (KEYS order in every script that takes them):
//   ip      ZSET  member "<id>|<weight>", score = ms it was spent          (per IP scope)
//   ipsum   STRING running total of the window's weight
//   ledger  HASH  cap (cap + surplus of the last snapshot), vol (USDC since), used, reserved
//   resv    ZSET  member id, score = ms the reservation expires
//   resvn   HASH  id → "<requests>|<weight>"

/**
 * Shared prologue: now, and the expiry of the IP window and of dead reservations.
 * A reservation of IP weight alone (an info request) holds 0 requests; its settle or expiry must
 * not HINCRBY by "-0" (Lua's -0 prints as "-0", which Redis refuses as not an integer: every info
 * request's commit then failed, and two failures in a row marked the store down).
 */
const PROLOGUE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function expire_ip(win)
  local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - win)
  if #old > 0 then
    local gone = 0
    for _, m in ipairs(old) do gone = gone + tonumber(string.match(m, '|(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)
    local left = redis.call('DECRBY', KEYS[2], gone)
    if left < 0 or redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SET', KEYS[2], 0) end
  end
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
local function expire_resv()
  local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)
  if #dead > 0 then
    local n = 0
    for _, id in ipairs(dead) do
      local v = redis.call('HGET', KEYS[5], id)
      if v then n = n + tonumber(string.match(v, '^(%d+)|')) end
      redis.call('HDEL', KEYS[5], id)
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
    if n > 0 then redis.call('HINCRBY', KEYS[3], 'reserved', -n) end
  end
end
local function ledger(init)
  local cap = tonumber(redis.call('HGET', KEYS[3], 'cap') or init)
  local vol = tonumber(redis.call('HGET', KEYS[3], 'vol') or '0')
  local used = tonumber(redis.call('HGET', KEYS[3], 'used') or '0')
  local reserved = tonumber(redis.call('HGET', KEYS[3], 'reserved') or '0')
  if reserved < 0 then reserved = 0; redis.call('HSET', KEYS[3], 'reserved', 0) end
  return cap + math.floor(vol), used, reserved
end
`;

/**
 * reserve(id, weight, requests, cancel, ipLimit, ipWindowMs, reserveFraction, ttlMs, initialBuffer, ipReserveFraction, cancelIpReserveFraction)
 * → { ok (1/0), reason ("" | "ip" | "address"), ipUsed, used, reserved, cap }.
 * Placements are refused when they would eat into the reserve of either budget. Cancels are
 * never refused for the address (the venue's cancel allowance is larger, and cancels are how we
 * get safe), but answer "ip" past the last cancelIpReserveFraction of the window (left to info
 * requests): the caller holds them until the window frees, as a 429 would cost more.
 */
export const RESERVE_LUA = `${PROLOGUE}
local id, w, n, cancel = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local limit, win, rf, ttl = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local ip = expire_ip(win)
expire_resv()
local cap, used, reserved = ledger(ARGV[9])
if cancel then
  if ip + w > (1 - tonumber(ARGV[11])) * limit then return {0, 'ip', ip, used, reserved, cap} end
else
  if ip + w > (1 - tonumber(ARGV[10])) * limit then return {0, 'ip', ip, used, reserved, cap} end
  if used + reserved + n > (1 - rf) * cap then return {0, 'address', ip, used, reserved, cap} end
end
redis.call('ZADD', KEYS[1], now, id .. '|' .. w)
ip = redis.call('INCRBY', KEYS[2], w)
redis.call('ZADD', KEYS[4], now + ttl, id)
redis.call('HSET', KEYS[5], id, n .. '|' .. w)
reserved = redis.call('HINCRBY', KEYS[3], 'reserved', n)
redis.call('PEXPIRE', KEYS[1], win * 2)
redis.call('PEXPIRE', KEYS[2], win * 2)
return {1, '', ip, used, reserved, cap}
`;

/**
 * settle(id, commit (1/0)) → 1 if the reservation was still held. Commit: used += n; release: the IP
 * weight comes back too. Dead reservations are purged first, as every other script does: one past
 * its TTL is gone (its process died) — a late commit does not count it, a late release does not give
 * back weight the venue may have charged (as the memory backend).
 */
export const SETTLE_LUA = `${PROLOGUE}
local id, commit = ARGV[1], ARGV[2] == '1'
expire_resv()
local v = redis.call('HGET', KEYS[5], id)
if not v then return 0 end
local ns, w = string.match(v, '^(%d+)|(%d+)$')
local n = tonumber(ns)
redis.call('HDEL', KEYS[5], id)
redis.call('ZREM', KEYS[4], id)
if n > 0 then redis.call('HINCRBY', KEYS[3], 'reserved', -n) end
if commit then
  if n > 0 then redis.call('HINCRBY', KEYS[3], 'used', n) end
else
  if redis.call('ZREM', KEYS[1], id .. '|' .. w) == 1 then redis.call('DECRBY', KEYS[2], tonumber(w)) end
end
return 1
`;

/** addIp(id, weight, ipWindowMs) → ipUsed. */
export const ADD_IP_LUA = `${PROLOGUE}
local ip = expire_ip(tonumber(ARGV[3]))
redis.call('ZADD', KEYS[1], now, ARGV[1] .. '|' .. ARGV[2])
ip = redis.call('INCRBY', KEYS[2], tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]) * 2)
return ip
`;

/** snapshot(capPlusSurplus, used): the cap is the venue's, volume since it restarts, used only rises. */
export const SNAPSHOT_LUA = `
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
redis.call('HSET', KEYS[1], 'cap', ARGV[1], 'vol', 0)
if tonumber(ARGV[2]) > used then redis.call('HSET', KEYS[1], 'used', ARGV[2]) end
return 1
`;

/** usage(ipWindowMs, initialBuffer) → { ipUsed, used, reserved, cap }. */
export const USAGE_LUA = `${PROLOGUE}
local ip = expire_ip(tonumber(ARGV[1]))
expire_resv()
local cap, used, reserved = ledger(ARGV[2])
return {ip, used, reserved, cap}
`;

/**
 * ws(process, connections, users (comma-separated), maxConnections, maxUsers, ttlMs) → { ok, reason,
 * connections, users }. KEYS: wsproc (HASH process → "<conns>|<u1,u2>"), wsseen (ZSET process →
 * expiry). A process that stops refreshing (it died) drops out after ttlMs. connections = 0: release.
 */
export const WS_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, p in ipairs(dead) do redis.call('HDEL', KEYS[1], p) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local me, conns, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[6])
if conns == 0 then
  redis.call('HDEL', KEYS[1], me); redis.call('ZREM', KEYS[2], me)
  return {1, '', 0, 0}
end
local total, users, nusers = conns, {}, 0
for u in string.gmatch(ARGV[3], '[^,]+') do if not users[u] then users[u] = true; nusers = nusers + 1 end end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i] ~= me then
    local c, us = string.match(all[i + 1], '^(%d+)|(.*)$')
    total = total + tonumber(c)
    for u in string.gmatch(us, '[^,]+') do if not users[u] then users[u] = true; nusers = nusers + 1 end end
  end
end
if total > tonumber(ARGV[4]) then return {0, 'connections', total, nusers} end
if nusers > tonumber(ARGV[5]) then return {0, 'users', total, nusers} end
redis.call('HSET', KEYS[1], me, conns .. '|' .. ARGV[3])
redis.call('ZADD', KEYS[2], now + ttl, me)
return {1, '', total, nusers}
`;

/** seedIp(id, weight, ipWindowMs): after the store restarted empty, the first process back writes what it last saw (others find it there). */
export const SEED_IP_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1] .. '|' .. ARGV[2])
redis.call('SET', KEYS[2], ARGV[2], 'PX', tonumber(ARGV[3]) * 2)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
return 1
`;
