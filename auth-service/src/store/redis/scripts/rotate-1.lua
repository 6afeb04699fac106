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

  Every deadline is computed by the caller (token-policy `refreshDeadlines`); the script
  only compares the stored ends with them and caps at the session's absolute end.
  ARGV[1]  presented generation
  ARGV[2]  client id presenting the token
  ARGV[3]  requested scope ("" = the granted one)
  ARGV[4]  now (epoch ms, the server clock): written as the rotation time
  ARGV[5]  now (Unix s, whole seconds): written as the last refresh
  ARGV[6]  idleEndFrom (Unix s): an idle end below it is past
  ARGV[7]  absoluteEndFrom (Unix s): an absolute end below it is reached
  ARGV[8]  idle end of this refresh, before the cap at the absolute end (Unix s)
  ARGV[9]  exp of the new access token, before the cap at the absolute end (Unix s)
  ARGV[10] grace start (epoch ms): a rotation at or after it is inside the grace window
  ARGV[11] retention after the last access token's exp (s): the key is kept that long

  Returns (integers unless noted; positions are read only by redis-store.ts `rotateOutcome`)
    1 rotated / 2 grace_replay (1: generation advanced; 2: previous token inside the grace window):
      { code, generation, accessExpiresAt (of the new access token), lr, i, e, ae, cr,
        a, r, t, u, ro, sc (strings) }   the session after the call
    3 reuse_detected (session now revoked) / 4 expired (past its idle or absolute end, now expired):
      { code, until (its last access exp + retention), a, t (strings) }   for the revocation and audit
    { -1 } unknown_session  { -2 } not_active  { -3 } client_mismatch  { -4 } scope_widened
    { -5 } future_generation
]]
local key = KEYS[1]
local presented = tonumber(ARGV[1])
local nowMs = tonumber(ARGV[4])
local nowSec = tonumber(ARGV[5])
local retention = tonumber(ARGV[11])

-- One read: every field the checks or the reply need (HMGET of a missing key is all nil).
local s = redis.call("HMGET", key, "s", "c", "sc", "g", "i", "e", "ae", "rm", "a", "t", "r", "u", "ro", "cr", "lr")
if not s[1] then
  return { -1 }
end
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

local function finish(code, reason)
  redis.call("HSET", key, "s", reason == "expired" and "expired" or "revoked", "re", reason)
  local untilSec = accessExp + retention
  redis.call("PEXPIREAT", key, untilSec * 1000)
  return { code, untilSec, s[9], s[10] }
end

if idle < tonumber(ARGV[6]) or exp < tonumber(ARGV[7]) then
  return finish(4, "expired")
end

local newAccessExp = math.min(tonumber(ARGV[9]), exp)

if presented == gen then
  gen = gen + 1
  idle = math.min(tonumber(ARGV[8]), exp)
  accessExp = math.max(accessExp, newAccessExp)
  redis.call("HSET", key, "g", gen, "lr", nowSec, "i", idle, "rm", nowMs, "ae", accessExp)
  redis.call("PEXPIREAT", key, math.max(idle, accessExp + retention) * 1000)
  return { 1, gen, newAccessExp, nowSec, idle, exp, accessExp, tonumber(s[14]), s[9], s[11], s[10], s[12], s[13], s[3] }
end

-- Retry-safe rotation: measured on the server clock from the rotation; the clock
-- tolerance does not extend it.
if presented == gen - 1 and rotatedMs > 0 and rotatedMs >= tonumber(ARGV[10]) then
  if newAccessExp > accessExp then
    accessExp = newAccessExp
    redis.call("HSET", key, "ae", accessExp)
    redis.call("PEXPIREAT", key, math.max(idle, accessExp + retention) * 1000)
  end
  -- lr is set: rm > 0 means a rotation wrote both.
  return { 2, gen, newAccessExp, tonumber(s[15]), idle, exp, accessExp, tonumber(s[14]), s[9], s[11], s[10], s[12], s[13], s[3] }
end

-- RFC 9700 §4.14.2: an older refresh token, or the previous one after the grace window,
-- was replayed: revoke the whole family.
return finish(3, "reuse_detected")
