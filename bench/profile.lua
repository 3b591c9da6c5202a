-- bench/profile.lua WORKDIR [N] [OUTDIR]: where the time of
-- lookup_many{kind="mx"} goes, counted in instructions by callgrind (valgrind
-- --tool=callgrind), which is repeatable on a loaded machine where wall time
-- is not. Serves WORKDIR/bench.test.zone with knotd on loopback and runs,
-- under callgrind, over the first N (20,000) names, with a fixed window of 50
-- (the adaptive window would react to valgrind's slowness):
--   the C loop over c-ares (build-bench/cares_loop ... 50), the reference;
--   bench/bulk_bench.lua mx under Lua 5.4 and under LuaJIT;
--   bench/bulk_bench.lua profile under Lua 5.4.
-- Prints instructions per query for each and the top self-cost functions
-- (callgrind_annotate). Lua runs under build-bench/lua5.4-sym and
-- luajit-sym (bench/lua_host.c linked with the distribution's static
-- libraries, whose symbols name the VM's functions). Leaves the callgrind.out files in OUTDIR
-- (default /tmp/mxrecord-callgrind) for kcachegrind or callgrind_annotate
-- --inclusive=yes.
--
--   bash bench/profile.sh [N]
local m = require "bench.measure"
local dns = require "spec.helpers.dns_server"

local dir = assert(arg[1], "usage: profile.lua WORKDIR [N] [OUTDIR]")
local N = tonumber(arg[2]) or 20000
local out = arg[3] or "/tmp/mxrecord-callgrind"
local TOP = tonumber(os.getenv("PROFILE_TOP")) or 25
os.execute("mkdir -p " .. out)
local names = dir .. "/profile-names.txt"
os.execute(("head -n %d %s/names.txt > %s"):format(N, dir, names))

local srv = dns.start { zones = { ["bench.test"] = dir .. "/bench.test.zone" } }
-- generous timeouts: under valgrind the client runs ~50x slower, and a
-- retry would be counted as work
local lenv = ("MXRECORD_SERVERS=%s %s BENCH_TIMEOUT=10 BENCH_TRIES=2"):format(srv.address, m.LUA_PATH)
local VG = "valgrind --tool=callgrind --callgrind-out-file=%s/%s.out"

local runs = {
  { "cloop", "C loop over c-ares", 1, "", ("build-bench/cares_loop %s %s 50 10000 2"):format(srv.address, names) },
  { "mx54", "lookup_many mx, Lua 5.4", 1, lenv .. " LUA_CPATH='./build-5.4/?.so;;'",
    ("build-bench/lua5.4-sym bench/bulk_bench.lua mx %s 50"):format(names) },
  { "mxjit", "lookup_many mx, LuaJIT", 1, lenv .. " LUA_CPATH='./build-5.1/?.so;;'",
    ("build-bench/luajit-sym bench/bulk_bench.lua mx %s 50"):format(names) },
  { "pr54", "lookup_many profile, Lua 5.4 (MX, TXT, DMARC; 3 more for some)", 2, lenv .. " LUA_CPATH='./build-5.4/?.so;;'",
    ("build-bench/lua5.4-sym bench/bulk_bench.lua profile %s 50"):format(names) },
}
local only = os.getenv("PROFILE_ONLY")
local results = {}
for _, r in ipairs(runs) do
  if not only or only:find(r[1], 1, true) then
    local key, label, per_name, envs, prog = r[1], r[2], r[3], r[4], r[5]
    local res = m.sh(("env %s %s %s"):format(envs, VG:format(out, key), prog))
    local total = tonumber((res:match("Collected : (%d+)") or "0"))
    -- the same process over no names: its start-up and exit, subtracted
    local empty = m.sh(("env %s %s %s"):format(envs, VG:format(out, key .. "-empty"), (prog:gsub(names:gsub("%p", "%%%0"), "/dev/null"))))
    local startup = tonumber((empty:match("Collected : (%d+)") or "0"))
    total = total - startup
    -- DNS queries as the run counted them (bulk_bench.lua: every query a profile made), else per name
    local queries = m.field(res, "queries") or (m.field(res, "names") or 0) * per_name
    local ann = m.sh(("callgrind_annotate --inclusive=no %s/%s.out 2>/dev/null | sed -n '/file:function/,$p' | sed -n '3,%dp'")
      :format(out, key, TOP + 2)):gsub("%[/usr/lib/x86_64%-linux%-gnu/", "["):gsub("%./malloc/%./malloc/", "")
    results[#results + 1] = { key = key, label = label, total = total, queries = queries, per_q = total / math.max(queries, 1),
      answered = m.field(res, "answered"), annotate = ann, startup = startup }
    io.stderr:write(("  %-32s %d queries, %.0f instructions per query\n"):format(label, queries, total / math.max(queries, 1)))
  end
end
srv:stop()

local ref
for _, r in ipairs(results) do
  if r.key == "cloop" then ref = r.per_q end
end
print(("instructions per DNS query (callgrind Ir of the client process, %d names, window 50, start-up subtracted):")
  :format(N))
for _, r in ipairs(results) do
  print(("  %-32s %8.0f  %s  (%s of %s names answered; start-up %.1f M instructions)"):format(r.label, r.per_q,
    ref and ("%.2fx C loop"):format(r.per_q / ref) or "", tostring(r.answered), N, r.startup / 1e6))
end
for _, r in ipairs(results) do
  print(("\n== %s: top functions by self cost, with start-up (callgrind_annotate --inclusive=no %s/%s.out)")
    :format(r.label, out, r.key))
  print(r.annotate)
end
