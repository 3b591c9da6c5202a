-- Layer 13: the resolver contract (spec/contract/resolver.lua), the same
-- cases against each transport: the plain resolver over c-ares, and the
-- resolver inside a real nginx, whose packets cosockets carry.
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"
local nginx = require "spec.helpers.nginx"
local socket = require "socket"
local contract = require "spec.contract.resolver"

local knot, fault, silent, env

local function start_servers()
  knot = dns.start { zones = { test = "examples/data/companies.test.zone" } }
  fault = dns.start_fault()
  silent = assert(socket.udp()) -- bound, never read: a server that never answers
  assert(silent:setsockname("127.0.0.1", 0))
  local _, port = silent:getsockname()
  env = { knot = knot.address, fault = fault.address, silent = "127.0.0.1:" .. port }
end

local function stop_servers()
  if knot then knot:stop() end
  if fault then fault:stop() end
  if silent then silent:close() end
end

describe("the resolver contract", function()
  setup(start_servers)
  teardown(stop_servers)

  describe("over c-ares", function()
    for i, c in ipairs(contract.cases) do
      it(c.name, function()
        local ok, err = contract.run(i, mxrecord, env)
        assert(ok, err)
      end)
    end
  end)

  describe("inside nginx, over cosockets", function()
    local srv
    setup(function()
      srv = nginx.start {
        env = { MXRECORD_SERVERS = env.knot },
        locations = [[
          location = /contract {
            content_by_lua_block {
              local contract = require "spec.contract.resolver"
              local a = ngx.req.get_uri_args()
              local ok, err = contract.run(tonumber(a.case), require "mxrecord",
                { knot = a.knot, fault = a.fault, silent = a.silent })
              ngx.say(ok and "ok" or err)
            }
          }]],
      }
    end)
    teardown(function() if srv then srv:stop() end end)

    for i, c in ipairs(contract.cases) do
      it(c.name, function()
        local status, body = srv:get(("/contract?case=%d&knot=%s&fault=%s&silent=%s"):format(i, env.knot, env.fault,
          env.silent))
        assert.equals(200, status, body .. "\n" .. srv:log())
        assert.equals("ok\n", body)
      end)
    end
  end)
end)
