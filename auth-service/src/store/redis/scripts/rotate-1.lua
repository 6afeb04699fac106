--[[
  Refresh grant (DESIGN.md invariants 1-3, 6, 8): checks the session's state, client,
  scope and generation and advances it, atomically. The caller verified the refresh
  token's MAC and passes only the generation it carries. Checks run in this order; every
  negative code leaves the session exactly as it was.

  Session hash fields (short names keep a session under 1 KiB; legend in hash.ts):
    a agent, r rig ("" none), t town, u user, ro role, sc granted scope, c client,
    s state (active|revoked|expired), re revoke reason ("" none), cr created (ms),
    lr last refresh (s, "" none), g generation, i idle end (s), e absolute end (s),
    ae last access token exp (s), rm when the current generation was minted (ms, 0 none)

  KEYS[1]  the session hash  <prefix>session:{<sid>}

  ARGV[1]  presented generation
  ARGV[2]  client id presenting the token
  ARGV[3]  requested scope ("" = the granted one)
  ARGV[4]  now (epoch ms, the server clock)
  ARGV[5]  policy.accessTokenTtl (s)
  ARGV[6]  policy.refreshIdleTtl (s)
  ARGV[7]  policy.refreshGrace (s)
  ARGV[8]  policy.clockTolerance (s)

  Returns  { code, generation, accessExpiresAt, until, field1, value1, ... (the hash after) }
            1 rotated          generation advanced; accessExpiresAt of the new access token
            2 grace_replay     previous token inside the grace window: same generation
            3 reuse_detected   session revoked; until = its last access exp + tolerance
            4 expired          past its idle or absolute end: now expired; until as above
                               (3 and 4 add the pairs a, t, c: agent, town, client, for the audit trail)
           -1 unknown_session  -2 not_active  -3 client_mismatch  -4 scope_widened
           -5 future_generation
]]
local key = KEYS[1]
local presented = tonumber(ARGV[1])
local nowMs = tonumber(ARGV[4])
local accessTtl = tonumber(ARGV[5])
local idleTtl = tonumber(ARGV[6])
local graceMs = tonumber(ARGV[7]) * 1000
local tolerance = tonumber(ARGV[8])

if redis.call("EXISTS", key) == 0 then
  return { -1 }
end
local s = redis.call("HMGET", key, "s", "c", "sc", "g", "i", "e", "ae", "rm", "a", "t")
if s[1] ~= "active" then
  return { -2 }
end
-- Checked before reuse detection: another client's token must not revoke anything.
if s[2] ~= ARGV[2] then
  return { -3 }
end
-- RFC 6749 §6: a refresh may narrow the scope granted at dispatch, never widen it.
if ARGV[3] ~= "" then
  local granted = {}
  for scope in string.gmatch(s[3], "[^ ]+") do
    granted[scope] = true
  end
  for scope in string.gmatch(ARGV[3], "[^ ]+") do
    if not granted[scope] then
      return { -4 }
    end
  end
end
local gen = tonumber(s[4])
-- Newer than anything this store issued: it lost writes. Change nothing.
if presented > gen then
  return { -5 }
end

local idle = tonumber(s[5])
local exp = tonumber(s[6])
local accessExp = tonumber(s[7])
local rotatedMs = tonumber(s[8])

local function finish(reason)
  redis.call("HSET", key, "s", reason == "expired" and "expired" or "revoked", "re", reason)
  local untilSec = accessExp + tolerance
  redis.call("PEXPIREAT", key, untilSec * 1000)
  return untilSec
end

if nowMs > idle * 1000 or nowMs >= exp * 1000 then
  return { 4, gen, 0, finish("expired"), "a", s[9], "t", s[10], "c", s[2] }
end

local nowSec = math.floor(nowMs / 1000)
local newAccessExp = math.min(nowSec + accessTtl, exp)

if presented == gen then
  gen = gen + 1
  idle = math.min(nowSec + idleTtl, exp)
  accessExp = math.max(accessExp, newAccessExp)
  redis.call("HSET", key, "g", gen, "lr", nowSec, "i", idle, "rm", nowMs, "ae", accessExp)
  redis.call("PEXPIREAT", key, math.max(idle, accessExp + tolerance) * 1000)
  local reply = { 1, gen, newAccessExp, 0 }
  for _, item in ipairs(redis.call("HGETALL", key)) do
    reply[#reply + 1] = item
  end
  return reply
end

-- Retry-safe rotation: measured on the server clock from the rotation; the clock
-- tolerance does not extend it.
if presented == gen - 1 and rotatedMs > 0 and nowMs - rotatedMs <= graceMs then
  if newAccessExp > accessExp then
    accessExp = newAccessExp
    redis.call("HSET", key, "ae", accessExp)
    redis.call("PEXPIREAT", key, math.max(idle, accessExp + tolerance) * 1000)
  end
  local reply = { 2, gen, newAccessExp, 0 }
  for _, item in ipairs(redis.call("HGETALL", key)) do
    reply[#reply + 1] = item
  end
  return reply
end

-- RFC 9700 §4.14.2: an older refresh token, or the previous one after the grace window,
-- was replayed: revoke the whole family.
return { 3, gen, 0, finish("reuse_detected"), "a", s[9], "t", s[10], "c", s[2] }
