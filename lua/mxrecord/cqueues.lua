-- mxrecord.cqueues: a resolver polled by a cqueues controller.
--
--   local cqueues = require "cqueues"
--   local mxcq = require "mxrecord.cqueues"
--   local cq = cqueues.new()
--   local r = mxcq.attach(mxrecord.resolver{ ... }, cq)
--   cq:wrap(function() local res = r:mx("example.com") end) -- yields, does not block
--   assert(cq:loop())
--
-- The resolver is itself a cqueues pollable (r:pollfd(), r:events(),
-- r:timeout()); a driver coroutine on the controller waits on it and runs
-- r:poll(), and coroutines that called a blocking-looking form wait on a
-- condition variable meanwhile. Errors raised by callbacks (without the
-- resolver's on_error) are raised from the driver, so cq:loop() returns them.
local cqueues = require "cqueues"
local condition = require "cqueues.condition"
local host = require "mxrecord.host"

local M = {}

function M.attach(r, cq)
  assert(cq and cq.wrap, "mxrecord.cqueues.attach(r, cq): a cqueues controller expected")
  local cond = condition.new()
  local running = false
  local adapter = {}

  function adapter.in_context()
    return cqueues.running() ~= nil
  end

  function adapter.wait(is_done)
    while not is_done() do cond:wait() end
  end

  function adapter.wake()
    cond:signal()
  end

  function adapter.kick()
    if running then return end
    running = true
    cq:wrap(function()
      local more, errors = true, nil
      while more do
        if not pcall(cqueues.poll, r) then break end -- the resolver was closed
        more, errors = host.drive(r, adapter)
        if errors then
          running = false
          error(table.concat(errors, "\n"), 0)
        end
      end
      running = false
      cond:signal()
    end)
  end

  return host.attach(r, adapter)
end

return M
