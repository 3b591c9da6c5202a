-- mxrecord.luv: a resolver driven by a libuv loop (lua-luv, or Neovim's
-- vim.loop).
--
--   local uv = require "luv"
--   local r = require("mxrecord.luv").attach(mxrecord.resolver{ ... }, { uv = uv })
--   r:mx("example.com", function(res) ... end)   -- from the loop
--   coroutine.wrap(function() local res = r:mx("example.com") end)() -- yields
--   uv.run()
--
-- A poll handle watches r:pollfd() (one descriptor for all of c-ares'
-- sockets) and a timer follows r:timeout(); both stop when nothing is
-- pending, so an idle resolver does not keep the loop alive. opts.schedule
-- (Neovim: vim.schedule) runs each turn of the resolver, and so every
-- callback and every resumed coroutine, outside libuv's callbacks, where
-- Neovim's API may be used. Errors raised by callbacks (without the
-- resolver's on_error) go to opts.on_error, or are raised from the loop.
local host = require "mxrecord.host"

local M = {}

function M.attach(r, opts)
  opts = opts or {}
  local uv = opts.uv or require "luv"
  local schedule = opts.schedule or function(f) f() end
  local on_error = opts.on_error or function(msg) error(msg, 0) end
  local poll_h, timer
  local waiting = {} -- coroutines in wait(), in order
  local adapter = {}
  local turn_pending = false

  function adapter.in_context()
    local co, main = coroutine.running()
    return co ~= nil and not main
  end

  function adapter.wait(is_done)
    local co = coroutine.running()
    while not is_done() do
      waiting[#waiting + 1] = co
      coroutine.yield()
    end
  end

  function adapter.wake()
    local list = waiting
    waiting = {}
    for _, co in ipairs(list) do
      local ok, err = coroutine.resume(co)
      if not ok then on_error(debug.traceback(co, tostring(err))) end
    end
  end

  local rearm

  local function turn()
    turn_pending = false
    local more, errors = host.drive(r, adapter)
    if errors then on_error(table.concat(errors, "\n")) end
    rearm(more)
  end

  local function soon()
    if turn_pending then return end
    turn_pending = true
    schedule(turn)
  end

  function rearm(more)
    if not more then
      if poll_h and not poll_h:is_closing() then poll_h:stop() end
      if timer and not timer:is_closing() then timer:stop() end
      return
    end
    local ok, t = pcall(r.timeout, r)
    if not ok then return rearm(false) end
    timer:stop()
    if t then timer:start(math.max(0, math.ceil(t * 1000)), 0, soon) end
  end

  function adapter.kick()
    if not poll_h then
      local ok, fd = pcall(r.pollfd, r)
      if not ok then return end
      poll_h = uv.new_poll(fd)
      timer = uv.new_timer()
    end
    if poll_h:is_closing() then return end
    poll_h:start("r", soon)
    rearm(true)
  end

  -- detach(): closes the handles (call after r:close() in long-lived loops)
  function adapter.detach()
    if poll_h and not poll_h:is_closing() then poll_h:close() end
    if timer and not timer:is_closing() then timer:close() end
  end

  host.attach(r, adapter)
  return r, adapter
end

return M
