--[[
  Records a revocation message of an agent's current session, so that exactly one
  instance acts on it: the agent becomes due now (or, while a live claim holds it, right
  when the holder releases it: see write-3.lua). Every instance that hears the message
  runs this; it is idempotent.

  KEYS[1]  the agent's record     <prefix>worker:{town:<town>}:agent:<agent>
  KEYS[2]  the town's due times   <prefix>worker:{town:<town>}:due
  KEYS[3]  the town's claims      <prefix>worker:{town:<town>}:claims

  ARGV[1]  agent id
  ARGV[2]  the revoked session id
  ARGV[3]  the revocation reason
  ARGV[4]  now (epoch ms)

  Returns  1 recorded
           0 not the agent's current session, or the agent is not running (nothing changed)
]]
local agentKey, due, claims = KEYS[1], KEYS[2], KEYS[3]
local agent = ARGV[1]
local now = tonumber(ARGV[4])
local current = redis.call("HMGET", agentKey, "sid", "state")
if current[1] ~= ARGV[2] or current[2] ~= "running" then
  return 0
end
redis.call("HSET", agentKey, "rv_sid", ARGV[2], "rv_reason", ARGV[3])
local leaseEnd = tonumber(redis.call("ZSCORE", due, agent) or "0")
if redis.call("HEXISTS", claims, agent) == 0 or leaseEnd <= now then
  redis.call("ZADD", due, now, agent)
end
return 1
