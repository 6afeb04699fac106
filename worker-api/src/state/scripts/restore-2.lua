--[[
  Puts back an agent's record that Redis lost (a flush, a failover that dropped writes),
  from an instance's last copy, unless the record exists; the agent becomes due now so an
  instance checks it with the container at once. When several instances restore, the
  first copy wins (a stale one shows up as a session mismatch, which the check renews).

  KEYS[1]  the agent's record     <prefix>worker:{town:<town>}:agent:<agent>
  KEYS[2]  the town's due times   <prefix>worker:{town:<town>}:due

  ARGV[1]  agent id
  ARGV[2]  the record (JSON)
  ARGV[3]  its current session id
  ARGV[4]  its state
  ARGV[5]  now (epoch ms)

  Returns  1 restored
           0 the record exists (nothing changed)
]]
if redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
redis.call("HSET", KEYS[1], "data", ARGV[2], "sid", ARGV[3], "state", ARGV[4])
redis.call("ZADD", KEYS[2], tonumber(ARGV[5]), ARGV[1])
return 1
