// The one Lua script behind RedisLimiter (ops "reserve" and "settle"; release = settle with zero usage). It mirrors
// window.ts `fits`. Redis runs it atomically, so checking every limit and then reserving all of them cannot
// interleave with another node's request: no check-then-increment race across pods.
//
// Per limit, three kinds of keys (all under one hash tag, see redis-limiter.ts):
//   c:<id>:<start>  settled usage of one bucket (sliding) or period (budget): an integer string
//   p:<id>[:<start>] hash of pending reservations: <reservationId> -> amount, plus field "_s" = their sum (per
//                   limit for sliding windows, per limit and period for calendar periods)
//   z:<id>[:<start>] sorted set of the same reservation ids scored by expiry (ms): dead nodes' reservations are
//                   purged from p/_s by the next reserve after they expire
//
// Numbers: amounts travel as decimal integer strings and are handed to INCRBY/HINCRBY as received (Lua's
// tostring would print 1e+14 style for large values); comparisons use Lua doubles, exact for integers < 2^53.
// Redis rejects "-0" as an integer, hence the `~= '0'` guards.
//
// reserve  KEYS: per limit  cur-counter, prev-counter (same as cur for periods), p, z
//          ARGV: 'reserve', now, rid, ttlMs, n, then per limit: kind('s'|'p'), windowMs, curStart, cap, cost, enforce
//          returns { allOk, then per limit: ok, cur, prev, pending }
// settle   KEYS: per limit  counter (bucket/period of the reservation), p, z
//          ARGV: 'settle', now, rid, n, then per limit: units, counter TTL in ms ('' = none)
//          returns 1
export const LIMITER_LUA = `
local op = ARGV[1]
local now = tonumber(ARGV[2])
local rid = ARGV[3]
if op == 'reserve' then
  local ttl = tonumber(ARGV[4])
  local n = tonumber(ARGV[5])
  local out = {0}
  local allok = 1
  for i = 1, n do
    local a = 5 + (i - 1) * 6
    local k = (i - 1) * 4
    local pk = KEYS[k + 3]
    local zk = KEYS[k + 4]
    local dead = redis.call('ZRANGEBYSCORE', zk, '-inf', now)
    if #dead > 0 then
      for _, id in ipairs(dead) do
        local amt = redis.call('HGET', pk, id)
        if amt then
          redis.call('HDEL', pk, id)
          if amt ~= '0' then redis.call('HINCRBY', pk, '_s', '-' .. amt) end
        end
      end
      redis.call('ZREMRANGEBYSCORE', zk, '-inf', now)
    end
    local kind = ARGV[a + 1]
    local w = tonumber(ARGV[a + 2])
    local curStart = tonumber(ARGV[a + 3])
    local cap = tonumber(ARGV[a + 4])
    local cost = tonumber(ARGV[a + 5])
    local cur = tonumber(redis.call('GET', KEYS[k + 1]) or '0')
    local prev = 0
    local used = cur
    if kind == 's' then
      prev = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
      used = prev * (w - (now - curStart)) / w + cur
    end
    local pending = tonumber(redis.call('HGET', pk, '_s') or '0')
    local ok = 1
    if ARGV[a + 6] == '1' then
      local taken = used + pending
      if taken + cost > cap or (cost <= 0 and taken >= cap) then ok = 0 end
    end
    if ok == 0 then allok = 0 end
    out[#out + 1] = ok
    out[#out + 1] = cur
    out[#out + 1] = prev
    out[#out + 1] = pending
  end
  out[1] = allok
  if allok == 1 then
    local keep = ttl + 60000
    for i = 1, n do
      local a = 5 + (i - 1) * 6
      local k = (i - 1) * 4
      local cost = ARGV[a + 5]
      if cost ~= '0' then
        local pk = KEYS[k + 3]
        local zk = KEYS[k + 4]
        redis.call('HSET', pk, rid, cost)
        redis.call('HINCRBY', pk, '_s', cost)
        redis.call('ZADD', zk, now + ttl, rid)
        if redis.call('PTTL', pk) < keep then redis.call('PEXPIRE', pk, keep) end
        if redis.call('PTTL', zk) < keep then redis.call('PEXPIRE', zk, keep) end
      end
    end
  end
  return out
elseif op == 'settle' then
  local n = tonumber(ARGV[4])
  for i = 1, n do
    local a = 4 + (i - 1) * 2
    local k = (i - 1) * 3
    local pk = KEYS[k + 2]
    local amt = redis.call('HGET', pk, rid)
    if amt then
      redis.call('HDEL', pk, rid)
      if amt ~= '0' then redis.call('HINCRBY', pk, '_s', '-' .. amt) end
      redis.call('ZREM', KEYS[k + 3], rid)
    end
    local units = ARGV[a + 1]
    if units ~= '0' then
      redis.call('INCRBY', KEYS[k + 1], units)
      local exp = ARGV[a + 2]
      if exp ~= '' then redis.call('PEXPIRE', KEYS[k + 1], exp) end
    end
  end
  return 1
end
return redis.error_reply('unknown limiter op')
`;
