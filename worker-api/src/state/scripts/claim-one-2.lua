--[[
  Claims one agent at once (an operator call: start, message, stop), whatever its due
  time, unless another claim on it is live (its lease has not run out).

  KEYS[1]  the town's due times   <prefix>worker:{town:<town>}:due
  KEYS[2]  the town's claims      <prefix>worker:{town:<town>}:claims

  ARGV[1]  agent id
  ARGV[2]  now (epoch ms)
  ARGV[3]  lease (ms)
  ARGV[4]  instance id

  Returns  { 1, claim id }   claimed (its due time is now the end of the lease)
           { 0, wait ms }    a live claim holds it; its lease ends in <wait ms>
]]
local due, claims = KEYS[1], KEYS[2]
local agent = ARGV[1]
local now = tonumber(ARGV[2])
if redis.call("HEXISTS", claims, agent) == 1 then
  local leaseEnd = tonumber(redis.call("ZSCORE", due, agent) or "0")
  if leaseEnd > now then
    return { 0, leaseEnd - now }
  end
end
local id = ARGV[4] .. "/" .. redis.call("HINCRBY", claims, "#seq", 1)
redis.call("HSET", claims, agent, id)
redis.call("ZADD", due, now + tonumber(ARGV[3]), agent)
return { 1, id }
