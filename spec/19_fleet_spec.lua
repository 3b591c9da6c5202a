-- Layer 19: the fleet (mxrecord.fleet, bin/mxrecord-fleet) over a real
-- redis-server and a real knotd serving a generated zone (bench/gen_zone.lua).
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"
local sh = dns.sh
local function tmpdir() return dns.tmpdir("mxrecord-fleet") end
local redis_server = require "spec.helpers.redis_server"
local socket = require "socket"
local cjson = require "cjson"

local redis_ok, redis = pcall(require, "mxrecord.redis")
local fleet = require "mxrecord.fleet"

local function interpreter()
  local i = -1
  while arg[i - 1] do i = i - 1 end
  return arg[i] or "lua5.4"
end

local function read_lines(path)
  local t = {}
  for line in io.lines(path) do t[#t + 1] = line end
  return t
end

local N = 20000

-- fleet.test: 300 domains over 30 mail hosts, for the shared cache
local function write_fleet_zone(path)
  local z = assert(io.open(path, "w"))
  z:write("$ORIGIN fleet.test.\n$TTL 3600\n@ SOA ns.fleet.test. h.fleet.test. 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n")
  for j = 0, 29 do z:write(("mx%d A 192.0.2.%d\nmx%d AAAA 2001:db8::%d\n"):format(j, j + 1, j, j + 1)) end
  for j = 0, 299 do
    z:write(("c%d MX 10 mx%d\nc%d MX 20 mx%d\n"):format(j, j % 30, j, (j + 7) % 30))
  end
  z:close()
end

-- Deep equality of decoded JSON values.
local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do
    if not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

describe("fleet", function()
  local dir, srv, rs, names

  setup(function()
    assert(redis_ok, "mxrecord.redis not built (libhiredis-dev missing?)")
    dir = tmpdir()
    assert(sh(interpreter() .. " bench/gen_zone.lua " .. dir .. " " .. N))
    names = read_lines(dir .. "/names.txt")
    write_fleet_zone(dir .. "/fleet.test.zone")
    srv = dns.start { count = true, zones = { ["bench.test"] = dir .. "/bench.test.zone",
      ["fleet.test"] = dir .. "/fleet.test.zone", test = "examples/data/companies.test.zone" } }
    rs = redis_server.start { tcp = true } -- (tcp for nginx)
  end)

  teardown(function()
    if srv then srv:stop() end
    if rs then rs:stop() end
    if dir then sh("rm -rf '" .. dir .. "'") end
  end)

  local function connect()
    return assert(redis.connect(rs:options()))
  end

  local function resolver(opts)
    opts = opts or {}
    opts.servers = opts.servers or { srv.address }
    opts.timeout = opts.timeout or 2
    return mxrecord.resolver(opts)
  end

  -- The single-process reference: lookup_many over the distinct names,
  -- keyed as the fleet keys them, each result through JSON like the stored ones.
  local function reference(inputs)
    local key_of = function(n) return mxrecord.normalize_name(n) or n end
    local seen, list = {}, {}
    for _, n in ipairs(inputs) do
      if not seen[key_of(n)] then
        seen[key_of(n)] = true
        list[#list + 1] = n
      end
    end
    local r = resolver { timeout = 5 }
    local ref = {}
    for res, err, code, name in r:lookup_many(list, { concurrency = 50 }) do
      ref[key_of(name)] = cjson.decode(cjson.encode(res and { res = res } or { err = err, code = code }))
    end
    r:close()
    return ref, key_of
  end

  local function spawn_worker(jobname, name, servers, extra)
    local env = ("LUA_PATH=%q LUA_CPATH=%q MXRECORD_REDIS=unix:%s "):format(package.path, package.cpath, rs.path)
    local pidfile = dir .. "/" .. name .. ".pid"
    assert(sh(env .. interpreter() .. " bin/mxrecord-fleet work --job " .. jobname .. " --consumer " .. name ..
      " --servers " .. servers .. " --block 0.2 " .. (extra or "") .. " >" .. dir .. "/" .. name .. ".log 2>&1 & echo $! >" .. pidfile))
    return assert(io.open(pidfile)):read("*l")
  end

  local function alive(pid) return sh("kill -0 " .. pid .. " 2>/dev/null") end

  it("the client: replies, errors, pipelines, closing", function()
    local c = connect()
    assert.equals("OK", c:call("SET", "k", "a\0b"))
    assert.equals("a\0b", c:call("GET", "k"))
    assert.is_false(c:call("GET", "no such key"))
    local v, msg, code = c:call("NOSUCHCOMMAND")
    assert.is_nil(v)
    assert.equals("redis", code)
    assert.matches("unknown command", msg)
    local t = c:pipeline { { "DEL", "n" }, { "INCR", "n" }, { "INCRBY", "n", 2 }, { "RPUSH", "l", "x", 1.5 } }
    assert.same({ 1, 3, 2 }, { t[2], t[3], t[4] })
    v, msg, code = c:pipeline { { "INCR", "n" }, { "LPUSH", "k", "x" }, { "INCR", "n" } }
    assert.is_nil(v)
    assert.equals("redis", code)
    assert.matches("WRONGTYPE", msg)
    assert.equals("5", c:call("GET", "n")) -- the pipeline ran through, in step
    assert.has_error(function() c:call("SET", "k", {}) end, "bad argument #3 to 'call' (string or number expected, got table)")
    assert.has_error(function() redis.connect { nope = 1 } end, "bad argument #1 to 'connect' (unknown option 'nope')")
    c:close()
    c:close()
    assert.has_error(function() c:call("PING") end, "redis connection is closed")
    v, msg, code = redis.connect { path = dir .. "/no-such.sock" }
    assert.is_nil(v)
    assert.equals("io", code)
  end)

  it("the client: a Redis that went away gives errors, not SIGPIPE", function()
    local rs2 = redis_server.start()
    local script = dir .. "/sigpipe.lua"
    local f = assert(io.open(script, "w"))
    f:write([[
local redis = require "mxrecord.redis"
local c = assert(redis.connect { path = arg[1] })
assert(c:call("PING") == "PONG")
io.read("*l") -- the server is stopped meanwhile
local big = string.rep("x", 1048576)
print(select(3, c:pipeline { { "SET", "k", big }, { "SET", "k", big } }))
print(select(3, redis.connect { path = arg[1] }))
]])
    f:close()
    local out = dir .. "/sigpipe.out"
    -- (luasocket ignores SIGPIPE in this process, and children inherit that: not this one)
    local p = assert(io.popen(("env --default-signal=PIPE LUA_PATH=%q LUA_CPATH=%q %s %s %s >%s 2>&1; echo \"exit=$?\" >>%s"):format(package.path,
      package.cpath, interpreter(), script, rs2.path, out, out), "w"))
    socket.sleep(0.3)
    rs2:stop()
    p:write("\n")
    p:close()
    local text = assert(io.open(out)):read("*a")
    assert.equals("io\nio\nexit=0\n", text)
  end)

  it("bad arguments raise, naming the function and the option", function()
    assert.has_error(function() fleet.open { name = "x y", redis = {} } end,
      "bad argument #1 to 'open' (name must be a string of letters, digits and _.:-)")
    local job = fleet.open { redis = connect(), name = "args" }
    assert.has_error(function() job:submit({}, { kinds = "mx" }) end, "bad argument #2 to 'submit' (unknown option 'kinds')")
    assert.has_error(function() job:work { resolver = true, batchsize = 3 } end,
      "bad argument #1 to 'work' (unknown option 'batchsize')")
    assert.has_error(function() job:results { order = "random" } end,
      "bad argument #1 to 'results' (order must be \"input\" or \"arrival\")")
  end)

  it("one worker in process: every input once, in input order and as they came, status", function()
    local inputs = { names[1], names[2], "NOSUCH.bench.test", names[1]:upper(), "bad..name", names[3] }
    local job = fleet.open { redis = connect(), name = "small" }
    assert.equals(#inputs, job:submit(inputs))
    local st = job:status()
    assert.same({ 6, 0, 6, true }, { st.total, st.done, st.waiting, st.sealed })
    local r = resolver()
    assert.equals(#inputs, job:work { resolver = r, consumer = "solo", batch = 4 })
    r:close()
    local out = {}
    for rec in job:results() do out[#out + 1] = rec end
    assert.equals(#inputs, #out)
    for i, rec in ipairs(out) do
      assert.equals(i, rec.id)
      assert.equals(inputs[i], rec.input)
    end
    assert.equals("ok", out[1].res.status)
    assert.equals("nxdomain", out[3].res.status)
    assert.same(out[1].res, out[4].res) -- a duplicate gets the answer of its twin
    assert.equals("badname", out[5].code)
    local arrived = {}
    for rec in job:results { order = "arrival", raw = true } do arrived[#arrived + 1] = rec end
    assert.equals(#inputs, #arrived)
    st = job:status()
    assert.same({ 6, 6, 0, 0 }, { st.total, st.done, st.pending, st.waiting })
    assert.equals(6, st.workers.solo.done)
    job:delete()
    assert.equals("0", rs:cli("EXISTS", "mxr:{small}:res"))
  end)

  it("the command: submit a file, work, collect as CSV and JSON Lines, status", function()
    local list = dir .. "/cmd-input.txt"
    local f = assert(io.open(list, "w"))
    f:write(names[5], "\n\n  ", names[6], "  \nnosuch.bench.test\n")
    f:close()
    local env = ("LUA_PATH=%q LUA_CPATH=%q MXRECORD_REDIS=unix:%s "):format(package.path, package.cpath, rs.path)
    local function cmd(args)
      local p = assert(io.popen(env .. interpreter() .. " bin/mxrecord-fleet " .. args .. " 2>&1; echo \"exit=$?\""))
      local out = p:read("*a")
      p:close()
      local body, status = out:match("^(.-)exit=(%d+)\n$")
      return body, status
    end
    local out, status = cmd("submit --job cmd " .. list)
    assert.equals("0", status, out)
    assert.matches("3 inputs submitted", out)
    out, status = cmd("work --job cmd --servers " .. srv.address)
    assert.equals("0", status, out)
    out = cmd("collect --job cmd --format csv")
    local head = "id,input,outcome,detail,code\n1," .. names[5] .. ","
    assert.equals(head, out:sub(1, #head))
    assert.matches("\n3,nosuch.bench.test,nxdomain,,\n$", out)
    out = cmd("collect --job cmd --order arrival")
    local n = 0
    for line in out:gmatch("[^\n]+") do
      assert.is_table(cjson.decode(line))
      n = n + 1
    end
    assert.equals(3, n)
    out = cmd("status --job cmd")
    assert.matches("^cmd: 3/3 done, 0 pending, 0 waiting", out)
    out, status = cmd("work")
    assert.equals("2", status)
    assert.matches("%-%-job NAME is required", out)
  end)

  it("a worker started before the producer waits for the job", function()
    local pid = spawn_worker("early", "early1", srv.address)
    socket.sleep(0.3)
    assert.is_true(alive(pid))
    local job = fleet.open { redis = connect(), name = "early" }
    job:submit { names[20], names[21] }
    local deadline = socket.gettime() + 30
    while alive(pid) and socket.gettime() < deadline do socket.sleep(0.05) end
    assert.is_false(alive(pid))
    assert.same({ 2, 2 }, { job:status().done, job:status().workers.early1.done })
    local r = resolver()
    assert.equals(0, job:work { resolver = r, until_done = false, block = 0.1 }) -- nothing left
    r:close()
  end)

  it("a batch stored twice (a slow worker after a claim) counts once", function()
    local inputs = { names[10], names[11], names[12] }
    local job = fleet.open { redis = connect(), name = "twice" }
    job:submit(inputs)
    local r = resolver()
    local other_stored
    local stored = job:work { resolver = r, consumer = "slow", max_batches = 1, before_store = function()
      -- before the slow worker stores, another claims its entries and finishes the job
      socket.sleep(0.01)
      local job2 = fleet.open { redis = connect(), name = "twice" }
      other_stored = job2:work { resolver = r, consumer = "fast", claim_idle = 0.001 }
    end }
    r:close()
    assert.equals(3, other_stored)
    assert.equals(0, stored)
    local st = job:status()
    assert.same({ 3, 3, 0 }, { st.total, st.done, st.pending })
    assert.equals("3", rs:cli("XLEN", "mxr:{twice}:out"))
  end)

  it("three worker processes over 20,000 inputs, one killed with SIGKILL mid-batch: each result once, as one process gives", function()
    -- 20,000 inputs: the zone's names, with duplicates, unknown and bad names among them
    local inputs = {}
    for i = 1, N - 100 do inputs[i] = names[i] end
    for i = 1, 50 do inputs[#inputs + 1] = names[i * 7]:upper() end
    for i = 1, 25 do inputs[#inputs + 1] = ("nosuch%d.bench.test"):format(i) end
    for i = 1, 25 do inputs[#inputs + 1] = ("bad..name%d"):format(i) end
    assert.equals(N, #inputs)
    local job = fleet.open { redis = connect(), name = "big" }
    assert.equals(N, job:submit(inputs))

    local function spawn(name, servers, extra)
      -- a fixed window and a long timeout: under ASAN on a loaded machine an
      -- adaptive window of three workers can overflow knotd's socket buffer
      return spawn_worker("big", name, servers, "--batch 200 --claim-idle 1 --concurrency 50 " .. (extra or "--timeout 5"))
    end
    local function pending_of(name)
      local w = job:status().workers[name]
      return w and w.pending or 0
    end

    -- a worker whose DNS server never answers: it holds a batch when killed
    local silent = assert(socket.udp())
    assert(silent:setsockname("127.0.0.1", 0))
    local _, silent_port = silent:getsockname()
    local stuck = spawn("stuck", "127.0.0.1:" .. silent_port, "--timeout 30")
    local deadline = socket.gettime() + 20
    while pending_of("stuck") == 0 and socket.gettime() < deadline do socket.sleep(0.05) end
    assert.equals(200, pending_of("stuck"))
    assert(sh("kill -9 " .. stuck))

    local pids = { spawn("w1", srv.address), spawn("w2", srv.address), spawn("w3", srv.address) }
    -- and one of the three at a moment of the run (between an eighth and a half of it)
    math.randomseed(os.time())
    local moment = math.random(N / 8, N / 2)
    deadline = socket.gettime() + 60
    while job:status().done < moment and socket.gettime() < deadline do socket.sleep(0.02) end
    assert(sh("kill -9 " .. pids[1]))
    for _, pid in ipairs { pids[2], pids[3] } do
      while alive(pid) and socket.gettime() < deadline do socket.sleep(0.05) end
      assert.is_false(alive(pid), "worker did not finish in time")
    end
    silent:close()

    local st = job:status()
    assert.equals(N, st.total)
    assert.equals(N, st.done)
    assert.equals(0, st.pending)
    local sum = 0
    for _, w in pairs(st.workers) do sum = sum + w.done end
    assert.equals(N, sum) -- each result counted for one worker only
    assert.equals(tostring(N), rs:cli("HLEN", "mxr:{big}:res"))
    assert.equals(tostring(N), rs:cli("XLEN", "mxr:{big}:out")) -- each stored once
    assert.equals("0", rs:cli("XLEN", "mxr:{big}:in")) -- every entry acknowledged and deleted

    local ref, key_of = reference(inputs)
    local n = 0
    for rec in job:results() do
      n = n + 1
      local want = ref[key_of(inputs[n])]
      local got = { res = rec.res, err = rec.err, code = rec.code }
      if rec.id ~= n or rec.input ~= inputs[n] or not same(want, got) then -- (assert.same on each: too slow under ASAN)
        assert.same({ n, inputs[n], want }, { rec.id, rec.input, got })
      end
    end
    assert.equals(N, n)
    assert.is_true(st.workers.stuck == nil or st.workers.stuck.done == 0)
  end)

  it("the shared cache level: a fleet asks the DNS server each question once", function()
    -- 300 addresses over 100 domains; a domain's three addresses far apart in
    -- the list. Workers of 5 batches of 20 run one after the other, so that
    -- what each asks does not depend on scheduling (bench/fleet_bench.sh runs
    -- worker processes at the same time; bin --shared-cache is the same level).
    local inputs = {}
    for k = 0, 299 do inputs[#inputs + 1] = ("user%d@c%d.fleet.test"):format(k, k % 100) end
    local function run(workers, shared)
      rs:cli("FLUSHALL")
      local job = fleet.open { redis = connect(), name = "cache" }
      job:submit(inputs, { kind = "verify" })
      local before = srv:counts().total
      for i = 1, workers do -- (workers in this process: each its own resolver, so its own first level)
        local level = shared and assert(require("mxrecord.cache_redis").new { redis = rs:options() })
        local r = resolver { cache = shared and { l2 = level } or true }
        job:work { resolver = r, consumer = "c" .. i, batch = 20, max_batches = workers > 1 and 5 or nil }
        r:close()
      end
      local st = job:status()
      assert.equals(#inputs, st.done)
      local verdicts = {}
      for rec in job:results() do
        local v = rec.res and rec.res.verdict or rec.code
        verdicts[v] = (verdicts[v] or 0) + 1
      end
      return srv:counts().total - before, verdicts
    end
    local q1, v1 = run(1, false)
    local q3, v3 = run(3, false)
    local q1s, v1s = run(1, true)
    local q3s, v3s = run(3, true)
    print(("\nqueries at knotd for %d verify inputs: 1 worker %d, 3 workers %d; with the shared level: 1 worker %d, 3 workers %d")
      :format(#inputs, q1, q3, q1s, q3s))
    assert.same({ deliverable = 300 }, v1) -- two MX hosts with addresses each
    assert.same(v1, v3)
    assert.same(v1, v1s)
    assert.same(v1, v3s)
    assert.equals(100 + 2 * 30, q1) -- each domain's MX, A and AAAA of the 30 hosts
    assert.equals(3 * q1, q3) -- without the shared level, each worker asks again
    assert.equals(q1, q1s)
    assert.equals(q1, q3s) -- with it, once for the whole fleet
  end)

  it("the shared level in process: a second resolver's questions are answered from Redis", function()
    local cache_redis = require "mxrecord.cache_redis"
    rs:cli("FLUSHALL")
    assert.has_error(function() mxrecord.resolver { cache = { l2 = {} } } end,
      "mxrecord.resolver: cache option 'l2' must be an object with get and set methods")
    assert.has_error(function() cache_redis.new { redis = {}, size = 1 } end, "bad argument #1 to 'new' (unknown option 'size')")
    local level1 = assert(cache_redis.new { redis = rs:options() })
    local level2 = assert(cache_redis.new { redis = rs:options() })
    local r1 = resolver { cache = { l2 = level1, max_ttl = 600 } }
    local before = srv:counts().total
    local v1 = assert(r1:verify("someone@c1.fleet.test"))
    local asked = srv:counts().total - before
    assert.equals(5, asked) -- MX, then A and AAAA of two hosts
    local r2 = resolver { cache = { l2 = level2 } }
    local v2 = assert(r2:verify("other@c1.fleet.test"))
    assert.equals(asked, srv:counts().total - before) -- nothing new at the DNS server
    assert.equals(v1.verdict, v2.verdict)
    assert.same(v1.mx.records, v2.mx.records)
    assert.is_true(v2.mx.ttl <= 600 and v2.mx.ttl >= 590) -- the TTL left (capped by max_ttl)
    if math.type then assert.equals("integer", math.type(v2.mx.records[1].preference)) end
    assert.same({ hits = 5, misses = 0, sets = 0, errors = 0 }, level2.stats)
    assert.same({ hits = 0, misses = 5, sets = 5, errors = 0 }, level1.stats)
    -- negative answers too, for their RFC 2308 TTL (the SOA minimum, 300)
    local n1 = assert(r1:verify("x@nosuch.fleet.test"))
    local n2 = assert(r2:verify("x@nosuch.fleet.test"))
    assert.equals("undeliverable", n2.verdict)
    assert.equals(n1.mx.status, n2.mx.status)
    local pttl = tonumber(rs:cli("PTTL", "mxr:cache:mx nosuch.fleet.test"))
    assert.is_true(pttl > 0 and pttl <= 300000)
    r1:close()
    r2:close()
  end)

  it("the shared level: temporary failures kept briefly, and a Redis that fails is a miss", function()
    local cache_redis = require "mxrecord.cache_redis"
    rs:cli("FLUSHALL")
    local silent = assert(socket.udp())
    assert(silent:setsockname("127.0.0.1", 0))
    local _, port = silent:getsockname()
    local r = mxrecord.resolver { servers = { "127.0.0.1:" .. port }, timeout = 0.2, tries = 1,
      cache = { l2 = assert(cache_redis.new { redis = rs:options() }), error_ttl = 2 } }
    local v = assert(r:verify("a@c2.fleet.test"))
    assert.equals("unknown", v.verdict)
    local pttl = tonumber(rs:cli("PTTL", "mxr:cache:mx c2.fleet.test"))
    assert.is_true(pttl > 0 and pttl <= 2000)
    r:close()
    silent:close()
    -- a level whose Redis went away: lookups go to DNS
    local rs2 = redis_server.start()
    local level = assert(cache_redis.new { redis = rs2:options() })
    rs2:stop()
    local r2 = resolver { cache = { l2 = level } }
    assert.equals("deliverable", assert(r2:verify("a@c3.fleet.test")).verdict)
    assert.is_true(level.stats.errors > 0)
    r2:close()
    -- a level whose get raises is a miss too
    local broken = { get = function() error("broken level") end, set = function() end }
    r2 = resolver { cache = { l2 = broken } }
    assert.equals("deliverable", assert(r2:verify("a@c4.fleet.test")).verdict)
    r2:close()
  end)

  describe("nginx instances sharing one Redis cache (examples/openresty/fleet.sh)", function()
    local pid, ports

    local function get(port, path)
      local c = assert(socket.connect("127.0.0.1", port))
      c:settimeout(20)
      assert(c:send("GET " .. path .. " HTTP/1.0\r\nHost: localhost\r\n\r\n"))
      local status = tonumber(c:receive("*l"):match("^HTTP/%d%.%d (%d+)"))
      repeat
        local line = c:receive("*l")
      until not line or line == ""
      local body = c:receive("*a")
      c:close()
      return status, cjson.decode(body)
    end

    setup(function()
      ports = { dns.free_port(), dns.free_port() }
      local cmd = ("env -u LD_PRELOAD -u LUA_PATH -u LUA_CPATH MXRECORD_SERVERS=%s MXRECORD_REDIS=%s "
        .. "bash examples/openresty/fleet.sh %d %d >%s/nginx.log 2>&1 & echo $!"):format(srv.address, rs.url, ports[1],
        ports[2], dir)
      local p = assert(io.popen(cmd))
      pid = p:read("*l")
      p:close()
      for _, port in ipairs(ports) do
        local up = false
        for _ = 1, 200 do
          local c = socket.connect("127.0.0.1", port)
          if c then
            c:close()
            up = true
            break
          end
          socket.sleep(0.05)
        end
        if not up then
          local f = io.open(dir .. "/nginx.log")
          error("nginx did not start: " .. (f and f:read("*a") or ""))
        end
      end
    end)

    teardown(function()
      if pid then os.execute("kill " .. pid .. " 2>/dev/null; sleep 0.3") end
    end)

    it("a question one instance asked is answered from Redis on the other", function()
      rs:cli("FLUSHALL")
      local before = srv:counts().total
      local s1, v1 = get(ports[1], "/verify?address=a%40c7.fleet.test")
      assert.equals(200, s1)
      assert.equals("deliverable", v1.verdict)
      local asked = srv:counts().total - before
      assert.equals(5, asked) -- MX, and A and AAAA of its two hosts
      local s2, v2 = get(ports[2], "/verify?address=b%40c7.fleet.test")
      assert.equals(200, s2)
      assert.same(v1.reasons, v2.reasons)
      assert.equals(asked, srv:counts().total - before) -- the second instance asked nothing
      local _, c1 = get(ports[1], "/cache")
      local _, c2 = get(ports[2], "/cache")
      assert.same({ hits = 0, misses = 5, sets = 5, errors = 0 }, c1.l2)
      assert.same({ hits = 5, misses = 0, sets = 0, errors = 0 }, c2.l2)
      -- a domain neither asked about: one of them asks, the other reads
      get(ports[2], "/verify?address=x%40c8.fleet.test")
      local mid = srv:counts().total
      get(ports[1], "/verify?address=y%40c8.fleet.test")
      assert.equals(mid, srv:counts().total)
    end)
  end)

  describe("docs/fleet.md", function()
    it("its Lua examples that need a Redis run against one", function()
      rs:cli("FLUSHALL")
      local ok, err = pcall(function()
        local blocks, cur, prev = {}, nil, nil
        for line in io.lines("docs/fleet.md") do
          if cur then
            if line == "```" then
              blocks[#blocks + 1] = table.concat(cur, "\n")
              cur = nil
            else
              cur[#cur + 1] = line
            end
          elseif line == "```lua" and prev and prev:find("spec/19_fleet_spec.lua runs this block", 1, true) then
            cur = {}
          end
          if line:find("%S") then prev = line end
        end
        assert.equals(2, #blocks)
        local env = ("MXRECORD_SERVERS=%s MXRECORD_REDIS=unix:%s LUA_PATH=%q LUA_CPATH=%q "):format(srv.address, rs.path,
          package.path, package.cpath)
        local outs = {}
        for i, code in ipairs(blocks) do
          local f = assert(io.open(dir .. "/block" .. i .. ".lua", "w"))
          f:write(code, "\n")
          f:close()
          local p = assert(io.popen(env .. interpreter() .. " " .. dir .. "/block" .. i .. ".lua 2>&1; echo \"exit=$?\""))
          outs[i] = p:read("*a")
          p:close()
          assert.matches("exit=0\n$", outs[i])
        end
        assert.matches("^4\n4\n1\tglobex.test\tok\n2\tinitech.test\tok\n3\tno%-such.test\tnxdomain\n4\tGlobex.test\tok\n4\t4\t0\n",
          outs[1])
        assert.matches("^(%a+)\n%1\n3\t0\n", outs[2])
      end)
      assert(ok, err)
    end)
  end)
end)
