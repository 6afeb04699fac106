--[[
  Revokes one session if it is live (admin, client, superseded, or a filter revocation).

  Session hash fields (short names keep a session under 1 KiB; legend in hash.ts):
    a agent, r rig ("" none), t town, u user, ro role, sc granted scope, c client,
    s state (active|revoked|expired), re revoke reason ("" none), cr created (ms),
    lr last refresh (s, "" none), g generation, i idle end (s), e absolute end (s),
    ae last access token exp (s), rm when the current generation was minted (ms, 0 none)

  KEYS[1]  the session hash  <prefix>session:{<sid>}

  Deadlines are computed by the caller (token-policy `endThresholds`, `retentionAfterLastAccess`).
  ARGV[1]  reason (admin | client | reuse_detected | superseded)
  ARGV[2]  idleEndFrom (Unix s): an idle end below it is past
  ARGV[3]  absoluteEndFrom (Unix s): an absolute end below it is reached
  ARGV[4]  retention after the last access token's exp (s)

  Returns  { code, until, agent, town, client }   until = last access exp + retention (Unix s);
           agent, town, client only with codes 1 and 2 (for the audit trail)
            1 revoked (it was live)
            2 it had passed its idle or absolute end: now marked expired (not counted)
            0 already revoked or expired (nothing changed)
           -1 unknown (nothing changed)
]]
local key = KEYS[1]
if redis.call("EXISTS", key) == 0 then
  return { -1, 0 }
end
local s = redis.call("HMGET", key, "s", "i", "e", "ae", "a", "t", "c")
if s[1] ~= "active" then
  return { 0, 0 }
end
local untilSec = tonumber(s[4]) + tonumber(ARGV[4])
local code = 1
local state, reason = "revoked", ARGV[1]
if tonumber(s[2]) < tonumber(ARGV[2]) or tonumber(s[3]) < tonumber(ARGV[3]) then
  code, state, reason = 2, "expired", "expired"
end
redis.call("HSET", key, "s", state, "re", reason)
redis.call("PEXPIREAT", key, untilSec * 1000)
return { code, untilSec, s[5], s[6], s[7] }
