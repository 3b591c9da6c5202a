-- The handlers of examples/openresty/fleet.sh: nginx instances whose
-- resolvers share one answer cache in Redis (mxrecord.cache_redis over
-- lua-resty-redis cosockets; Debian packages it as nginx.redis). Each worker
-- keeps its own first level; a question one instance asked is not asked
-- again by the others while its TTL runs.
local cjson = require "cjson.safe"
local mxrecord = require "mxrecord"
local cache_redis = require "mxrecord.cache_redis"
local ok_resty, redis = pcall(require, "resty.redis")
if not ok_resty then redis = require "nginx.redis" end

local M = {}
local r, level

-- MXRECORD_REDIS: redis://HOST:PORT or unix:/PATH
local function redis_target()
  local url = os.getenv("MXRECORD_REDIS") or "redis://127.0.0.1:6379"
  if url:find("^unix:") then return url end
  local host, port = url:match("^redis://([^:/]+):(%d+)")
  return host, tonumber(port)
end

-- A cosocket connection per use, back to the keepalive pool after it.
local function connect()
  local red = redis:new()
  red:set_timeout(1000)
  local ok, err = red:connect(redis_target())
  if not ok then
    ngx.log(ngx.WARN, "shared cache: ", err)
    return nil
  end
  return red
end

local function release(red) red:set_keepalive(10000, 32) end

function M.init()
  level = cache_redis.new { connect = connect, release = release }
  r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = tonumber(os.getenv("MXRECORD_TIMEOUT")) or 2,
    cache = { l2 = level } }
end

local function reply(status, body)
  ngx.status = status
  ngx.say(cjson.encode(body))
end

-- GET /verify?address=A: the verdict as JSON
function M.verify()
  local address = ngx.var.arg_address
  if not address or address == "" then return reply(400, { error = "address= is missing", code = "bad_syntax" }) end
  local v, err, code = r:verify(ngx.unescape_uri(address))
  if not v then return reply(502, { error = err, code = code }) end
  return reply(200, { verdict = v.verdict, domain = v.domain, reasons = v.reasons, provider = v.provider })
end

-- GET /cache: this worker's two levels
function M.cache()
  return reply(200, { l1 = r:cache_stats(), l2 = level.stats })
end

return M
