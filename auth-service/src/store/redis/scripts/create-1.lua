--[[
  Creates a session (generation 0). Times are computed by the caller from the injected
  clock and the policy; nothing here knows a lifetime.

  Session hash fields (short names keep a session under 1 KiB; legend in hash.ts):
    a agent, r rig ("" none), t town, u user, ro role, sc granted scope, c client,
    s state (active|revoked|expired), re revoke reason ("" none), cr created (ms),
    lr last refresh (s, "" none), g generation, i idle end (s), e absolute end (s),
    ae last access token exp (s), rm when the current generation was minted (ms, 0 none)

  KEYS[1]  the session hash  <prefix>session:{<sid>}

  ARGV[1]  agent id
  ARGV[2]  rig id ("" for a town-level agent)
  ARGV[3]  town id
  ARGV[4]  user id
  ARGV[5]  role
  ARGV[6]  granted scope
  ARGV[7]  client id
  ARGV[8]  created at (epoch ms)
  ARGV[9]  idle end (Unix s)
  ARGV[10] absolute end (Unix s)
  ARGV[11] exp of the first access token (Unix s)
  ARGV[12] readable until (epoch ms): the key's PEXPIREAT

  Returns   1 created
            0 a session with this id exists (nothing changed)
]]
local key = KEYS[1]
if redis.call("EXISTS", key) == 1 then
  return 0
end
redis.call("HSET", key,
  "a", ARGV[1], "r", ARGV[2], "t", ARGV[3], "u", ARGV[4],
  "ro", ARGV[5], "sc", ARGV[6], "c", ARGV[7],
  "s", "active", "re", "", "cr", ARGV[8], "lr", "",
  "g", 0, "i", ARGV[9], "e", ARGV[10], "ae", ARGV[11], "rm", 0)
redis.call("PEXPIREAT", key, ARGV[12])
return 1
