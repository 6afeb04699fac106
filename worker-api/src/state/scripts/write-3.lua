--[[
  Writes an agent's record under its claim, and keeps the claim (renewing the lease) or
  releases it with the agent's next due time. Nothing changes unless the claim is still
  the agent's current one (fencing: an instance whose lease ran out writes nothing).

  Agent hash fields: data (the record, JSON), sid (current session id), state
  (running|stopped|exited), rv_sid and rv_reason (a revocation message of sid that no
  instance has acted on yet; written by mark-revoked-3.lua).

  KEYS[1]  the town's due times   <prefix>worker:{town:<town>}:due
  KEYS[2]  the town's claims      <prefix>worker:{town:<town>}:claims
  KEYS[3]  the agent's record     <prefix>worker:{town:<town>}:agent:<agent>

  ARGV[1]  agent id
  ARGV[2]  claim id
  ARGV[3]  now (epoch ms)
  ARGV[4]  mode: "keep" or "release"
  ARGV[5]  keep: the lease (ms); release: the next due time (epoch ms), "" for none
  ARGV[6]  the record (JSON), "" to leave it unchanged
  ARGV[7]  its current session id (with ARGV[6])
  ARGV[8]  its state (with ARGV[6])
  ARGV[9]  a session id whose pending revocation was acted on ("" none)

  Returns  1 written
           0 the claim is no longer current (nothing changed)
]]
local due, claims, agentKey = KEYS[1], KEYS[2], KEYS[3]
local agent = ARGV[1]
if redis.call("HGET", claims, agent) ~= ARGV[2] then
  return 0
end
local now = tonumber(ARGV[3])
if ARGV[6] ~= "" then
  redis.call("HSET", agentKey, "data", ARGV[6], "sid", ARGV[7], "state", ARGV[8])
end
local pending = redis.call("HGET", agentKey, "rv_sid")
if pending and (pending == ARGV[9] or pending ~= redis.call("HGET", agentKey, "sid")) then
  -- Acted on, or about a session the agent no longer holds.
  redis.call("HDEL", agentKey, "rv_sid", "rv_reason")
  pending = false
end
if ARGV[4] == "keep" then
  redis.call("ZADD", due, now + tonumber(ARGV[5]), agent)
  return 1
end
redis.call("HDEL", claims, agent)
if pending then
  redis.call("ZADD", due, now, agent)
elseif ARGV[5] == "" then
  redis.call("ZREM", due, agent)
else
  redis.call("ZADD", due, tonumber(ARGV[5]), agent)
end
return 1
