--[[
  Creates a session (generation 0). Times are computed by the caller from the injected
  clock and the policy; nothing here knows a lifetime.

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
  "agent", ARGV[1], "rig", ARGV[2], "town", ARGV[3], "user", ARGV[4],
  "role", ARGV[5], "scope", ARGV[6], "client", ARGV[7],
  "state", "active", "reason", "", "created", ARGV[8], "refreshed", "",
  "gen", 0, "idle", ARGV[9], "exp", ARGV[10], "accessExp", ARGV[11], "rotatedMs", 0)
redis.call("PEXPIREAT", key, ARGV[12])
return 1
