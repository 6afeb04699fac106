--[[
  Claims the agents of one town whose due time has come (DESIGN.md "worker-api state").
  A claimed agent's due time becomes the end of its lease: if the holder dies, the agent
  is due again when the lease runs out and another instance claims it.

  KEYS[1]  the town's due times   <prefix>worker:{town:<town>}:due     (sorted set: agent id -> epoch ms)
  KEYS[2]  the town's claims      <prefix>worker:{town:<town>}:claims  (hash: agent id -> claim id; "#seq" the counter)

  ARGV[1]  now (epoch ms)
  ARGV[2]  lease (ms)
  ARGV[3]  instance id (claim ids are <instance id>/<sequence>)
  ARGV[4]  most agents to claim

  Returns  { agent id, claim id, agent id, claim id, ... } (empty: nothing due)
]]
local due, claims = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
local leaseEnd = now + tonumber(ARGV[2])
local members = redis.call("ZRANGEBYSCORE", due, "-inf", now, "LIMIT", 0, tonumber(ARGV[4]))
local out = {}
for _, agent in ipairs(members) do
  local id = ARGV[3] .. "/" .. redis.call("HINCRBY", claims, "#seq", 1)
  redis.call("HSET", claims, agent, id)
  redis.call("ZADD", due, leaseEnd, agent)
  out[#out + 1] = agent
  out[#out + 1] = id
end
return out
