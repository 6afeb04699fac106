-- append-record-4.lua: admits one agent record (token bucket, then quota window) and
-- stores it, atomically. The same rule as admit() in records/limits.ts.
-- KEYS[1] meta hash: one counter per kind, last_heartbeat
-- KEYS[2] events stream (field "record")
-- KEYS[3] records list (JSON)
-- KEYS[4] limits hash: tokens, refilled_at, window_start, window_records, window_bytes
--         (all four keys share the agent's hash tag: one Cluster slot)
-- ARGV[1] kind
-- ARGV[2] record JSON (stored unless a heartbeat; its length counts against the quota)
-- ARGV[3] now, epoch ms (also the heartbeat time)
-- ARGV[4] bucket refill, tokens per second    ARGV[5] bucket size
-- ARGV[6] quota window, ms    ARGV[7] records per window    ARGV[8] bytes per window
-- ARGV[9] entries kept per stream and list (exact MAXLEN / LTRIM)
-- ARGV[10] retention, ms: every key expires this long after the agent's last record
-- Output: {0, 0} stored; {1, retry_ms} over the rate; {2, retry_ms} over the quota.
-- A refused record consumes nothing and changes nothing but the bucket's refill.
local now = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local burst = tonumber(ARGV[5])
local window = tonumber(ARGV[6])
local retention = ARGV[10]
local state = redis.call('HMGET', KEYS[4], 'tokens', 'refilled_at', 'window_start', 'window_records', 'window_bytes')
local tokens = tonumber(state[1]) or burst
local refilled = tonumber(state[2]) or now
local window_start = tonumber(state[3]) or now
local window_records = tonumber(state[4]) or 0
local window_bytes = tonumber(state[5]) or 0

if now > refilled then
  tokens = math.min(burst, tokens + (now - refilled) * rate / 1000)
  refilled = now
end
local function save()
  redis.call('HSET', KEYS[4], 'tokens', tostring(tokens), 'refilled_at', tostring(refilled),
    'window_start', tostring(window_start), 'window_records', tostring(window_records), 'window_bytes', tostring(window_bytes))
  redis.call('PEXPIRE', KEYS[4], retention)
end
if tokens < 1 then
  save()
  return {1, math.ceil((1 - tokens) * 1000 / rate)}
end
if now - window_start >= window then
  window_start = now
  window_records = 0
  window_bytes = 0
end
local kind = ARGV[1]
local stores = kind ~= 'heartbeat'
local size = string.len(ARGV[2])
if stores and (window_records + 1 > tonumber(ARGV[7]) or window_bytes + size > tonumber(ARGV[8])) then
  save()
  return {2, math.max(1, window_start + window - now)}
end
tokens = tokens - 1
if stores then
  window_records = window_records + 1
  window_bytes = window_bytes + size
end
save()

redis.call('HINCRBY', KEYS[1], kind, 1)
if kind == 'heartbeat' then
  redis.call('HSET', KEYS[1], 'last_heartbeat', ARGV[3])
elseif kind == 'event' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '=', ARGV[9], '*', 'record', ARGV[2])
  redis.call('PEXPIRE', KEYS[2], retention)
else
  redis.call('RPUSH', KEYS[3], ARGV[2])
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[9]), -1)
  redis.call('PEXPIRE', KEYS[3], retention)
end
redis.call('PEXPIRE', KEYS[1], retention)
return {0, 0}
