import type { Redis } from 'ioredis';

/**
 * The Lua scripts behind SharedWindows. Each runs atomically in Redis and reads Redis' own clock (`TIME`), the
 * one clock every process agrees on. Layout shared by the scripts:
 *
 *   KEYS[1]            the budget's pause key (a 429 seen by any process; expires by PX)
 *   KEYS[2w], KEYS[2w+1]  window w: a sorted set of slots (member = call id, score = release time) and, for
 *                      long windows, a bucketed counter of finished calls (a hash; unused for short windows)
 *   ARGV (after the script's own leading arguments): per window max, perMs, marginMs, bucket width (0: none)
 *
 * Short windows keep every slot in the sorted set. Long windows keep only calls in flight there; a finished
 * call is added to the counter bucket of its finish time, and a bucket is counted until its END plus the
 * window, so a call is never counted for less than `perMs + marginMs` after it ended (at most one bucket
 * width more): the counter may over-count, never under-count.
 */

const PRELUDE = `
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function fmt(n) return string.format('%.3f', n) end
local function field(n) return string.format('%d', n) end

-- Windows from ARGV, starting after 'skip' leading arguments.
local function read_windows(skip)
  local windows = {}
  local count = (#KEYS - 1) / 2
  for w = 1, count do
    local at = skip + (w - 1) * 4
    local per, margin = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
    windows[w] = {
      slots = KEYS[2 * w], buckets = KEYS[2 * w + 1],
      max = tonumber(ARGV[at + 1]), per = per, hold = per + margin, width = tonumber(ARGV[at + 4]),
    }
  end
  return windows
end

-- Drops the buckets that no longer count; returns the counted total and the oldest counted bucket.
local function prune_buckets(win, now)
  local threshold = math.floor((now - win.hold) / win.width)
  local state = redis.call('HMGET', win.buckets, 'h', 't')
  local head, total = tonumber(state[1]), tonumber(state[2]) or 0
  if head == nil then
    redis.call('HSET', win.buckets, 'h', field(threshold), 't', '0')
    return 0, threshold
  end
  if head >= threshold then return total, head end
  if threshold - head > 4096 then
    total = 0
    local all = redis.call('HGETALL', win.buckets)
    for i = 1, #all, 2 do
      local index = tonumber(all[i])
      if index ~= nil and all[i] ~= 'h' and all[i] ~= 't' then
        if index < threshold then redis.call('HDEL', win.buckets, all[i]) else total = total + tonumber(all[i + 1]) end
      end
    end
  else
    for index = head, threshold - 1 do
      local name = field(index)
      local count = tonumber(redis.call('HGET', win.buckets, name))
      if count ~= nil then
        total = total - count
        redis.call('HDEL', win.buckets, name)
      end
    end
  end
  if total < 0 then total = 0 end
  redis.call('HSET', win.buckets, 'h', field(threshold), 't', tostring(total))
  return total, threshold
end

-- Slots held in a window now: expired slots and buckets are dropped first.
local function held(win, now)
  redis.call('ZREMRANGEBYSCORE', win.slots, '-inf', fmt(now))
  local count = redis.call('ZCARD', win.slots)
  if win.width > 0 then
    local total, head = prune_buckets(win, now)
    win.head = head
    count = count + total
  end
  return count
end

local function keep(win, lease)
  local ttl = math.ceil(win.hold + lease + win.width + 1000)
  redis.call('PEXPIRE', win.slots, ttl)
  if win.width > 0 then redis.call('PEXPIRE', win.buckets, ttl) end
end

-- When the window frees its 'needed'-th slot, at the earliest: a slot in flight frees no sooner than one that
-- ended now would, whatever its lease says.
local function free_at(win, now, needed)
  local cap = now + win.hold
  if win.width == 0 then
    local entry = redis.call('ZRANGE', win.slots, needed - 1, needed - 1, 'WITHSCORES')
    local at = tonumber(entry[2])
    if at == nil or at > cap then return cap end
    return at
  end
  local events = {}
  local flying = redis.call('ZRANGE', win.slots, 0, -1, 'WITHSCORES')
  for i = 2, #flying, 2 do events[#events + 1] = { math.min(tonumber(flying[i]), cap), 1 } end
  local all = redis.call('HGETALL', win.buckets)
  for i = 1, #all, 2 do
    local index = tonumber(all[i])
    if index ~= nil and all[i] ~= 'h' and all[i] ~= 't' and index >= win.head then
      events[#events + 1] = { (index + 1) * win.width + win.hold, tonumber(all[i + 1]) }
    end
  end
  table.sort(events, function(a, b) return a[1] < b[1] end)
  local seen = 0
  for _, event in ipairs(events) do
    seen = seen + event[2]
    if seen >= needed then return event[1] end
  end
  return cap
end
`;

/**
 * Reserves up to ARGV[1] slots in every window at once, or none: members ARGV[2]..':'..i, held for the lease
 * (ARGV[3]) plus the window. Returns { granted, waitMs, blocking, now }: waitMs is when the next slot can free
 * (0: not full), blocking is 0 for a pause, the 1-based window that is full, or -1.
 */
const RESERVE = `${PRELUDE}
local now = clock()
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return { 0, paused, 0, fmt(now) } end
local wanted, base, lease = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local windows = read_windows(3)
local room = wanted
for _, win in ipairs(windows) do
  win.count = held(win, now)
  room = math.min(room, math.max(0, win.max - win.count))
end
local wait, blocking = 0, -1
for w, win in ipairs(windows) do
  if room > 0 then
    local score = fmt(now + win.hold + lease)
    local args = {}
    for i = 1, room do
      args[#args + 1] = score
      args[#args + 1] = base .. ':' .. i
    end
    redis.call('ZADD', win.slots, unpack(args))
    keep(win, lease)
  end
  local after = win.count + room
  if after >= win.max then
    local at = free_at(win, now, after - win.max + 1)
    if at - now > wait then wait, blocking = at - now, w end
  end
end
return { room, math.ceil(wait), blocking, fmt(now) }
`;

/**
 * Updates slots: ARGV[1] is 'finish' (the call ended now: held for the window from now), 'renew' (still in
 * flight: the lease starts again) or 'release' (never sent: freed at once); ARGV[2] the lease; the members
 * follow the windows. A slot whose lease ran out is added again: a late call still counts.
 */
const SETTLE = `${PRELUDE}
local now = clock()
local action, lease = ARGV[1], tonumber(ARGV[2])
local windows = read_windows(2)
local first = 3 + #windows * 4
for _, win in ipairs(windows) do
  held(win, now)
  for i = first, #ARGV do
    local member = ARGV[i]
    if action == 'release' then
      redis.call('ZREM', win.slots, member)
    elseif action == 'renew' then
      redis.call('ZADD', win.slots, fmt(now + win.hold + lease), member)
    elseif win.width == 0 then
      redis.call('ZADD', win.slots, fmt(now + win.hold), member)
    else
      redis.call('ZREM', win.slots, member)
      local bucket = math.floor(now / win.width)
      redis.call('HINCRBY', win.buckets, field(bucket), 1)
      redis.call('HINCRBY', win.buckets, 't', 1)
    end
  end
  keep(win, lease)
end
return fmt(now)
`;

/** Pauses the budget for ARGV[1] ms unless a longer pause already holds; returns the pause's ms left before. */
const PAUSE = `
local ms = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return left
`;

/** The scripts as commands of a connection (ioredis loads them with EVALSHA, falling back to EVAL). */
export interface SharedWindowCommands {
  ferryWindowsReserve(numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  ferryWindowsSettle(numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  ferryWindowsPause(numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

const defined = new WeakSet<Redis>();

/** Defines the scripts on a connection once and gives them their types. */
export function withWindowScripts(redis: Redis): Redis & SharedWindowCommands {
  if (!defined.has(redis)) {
    redis.defineCommand('ferryWindowsReserve', { lua: RESERVE });
    redis.defineCommand('ferryWindowsSettle', { lua: SETTLE });
    redis.defineCommand('ferryWindowsPause', { lua: PAUSE });
    defined.add(redis);
  }
  return redis as Redis & SharedWindowCommands;
}
