package contracts

import "github.com/redis/go-redis/v9"

// saveScript writes a contract if its stored version is the expected one (0: must not
// exist) and no other contract of overlapping validity holds one of its match keys.
// Every key it touches is declared (a cluster routes a script by its KEYS): the data
// keys of the contracts already under the new match keys are read by the caller first
// and passed in; a member the caller did not know of makes the script answer RETRY.
//
// KEYS[1] data key, KEYS[2] index, KEYS[3..2+n] new match keys, KEYS[3+n..2+n+m] old
// match keys, KEYS[3+n+m..] data keys of the other contracts, whose ids are ARGV[9..]
// in the same order. ARGV[1] id, ARGV[2] expected version, ARGV[3] JSON, ARGV[4]
// starts_on, ARGV[5] ends_on or "", ARGV[6] (unused), ARGV[7] n, ARGV[8] m.
// Returns {"OK"}, {"EXISTS"}, {"MISSING"}, {"STALE", version}, {"DELETED"}, {"RETRY"} or
// {"CONFLICT", other id, key}.
var saveScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
local expected = tonumber(ARGV[2])
if expected == 0 then
  if cur then return {'EXISTS'} end
else
  if not cur then return {'MISSING'} end
  local c = cjson.decode(cur)
  if c['version'] ~= expected then return {'STALE', tostring(c['version'])} end
  if c['deleted'] == true then return {'DELETED'} end
end
local function upper(e)
  if e == nil or e == cjson.null or e == '' then return '9999-12-31' end
  return e
end
local s, e = ARGV[4], upper(ARGV[5])
local n, m = tonumber(ARGV[7]), tonumber(ARGV[8])
local known = {}
for i = 9, #ARGV do known[ARGV[i]] = KEYS[3 + n + m + (i - 9)] end
for i = 3, 2 + n do
  for _, other in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    if other ~= ARGV[1] then
      local key = known[other]
      if not key then return {'RETRY'} end
      local raw = redis.call('GET', key)
      if raw then
        local o = cjson.decode(raw)
        if o['starts_on'] <= e and s <= upper(o['ends_on']) then
          return {'CONFLICT', other, KEYS[i]}
        end
      end
    end
  end
end
for i = 3 + n, 2 + n + m do redis.call('SREM', KEYS[i], ARGV[1]) end
for i = 3, 2 + n do redis.call('SADD', KEYS[i], ARGV[1]) end
redis.call('SET', KEYS[1], ARGV[3])
-- The index keeps creation order: a new contract scores one more than the newest, so
-- contracts created in the same millisecond still list in the order they came.
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  local n = 1
  if last[2] then n = tonumber(last[2]) + 1 end
  redis.call('ZADD', KEYS[2], n, ARGV[1])
end
return {'OK'}
`)

// removeScript deletes a contract for good if its stored version is the expected one.
//
// KEYS[1] data key, KEYS[2] index, KEYS[3..] its match keys; ARGV[1] id, ARGV[2] version.
var removeScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then return {'MISSING'} end
local c = cjson.decode(cur)
if c['version'] ~= tonumber(ARGV[2]) then return {'STALE', tostring(c['version'])} end
for i = 3, #KEYS do redis.call('SREM', KEYS[i], ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return {'OK'}
`)
