-- frame_loop.lua [DOMAIN ...]: a game-style loop that "renders" 60 frames a
-- second and calls r:poll() once a frame while a batch of lookups completes.
-- poll() never blocks: a frame's budget (16.7 ms) holds even when a server
-- is silent. Prints each answer as it arrives, then how long poll() took.
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
local mxrecord = require "mxrecord"
local clock = require("mxrecord.core").monotonic
local has_socket, socket = pcall(require, "socket") -- to sleep between frames, when LuaSocket is there

local domains = { ... }
if #domains == 0 then domains = { "acme-anvils.test", "globex.test", "initech.test", "soylent.test" } end

local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 1, tries = 2 }
for _, d in ipairs(domains) do
  r:profile(d, function(p, err)
    print(("%-24s %s"):format(d, p and (p.provider.name .. " (" .. p.provider.category .. ")") or err))
  end)
end

local FRAME = 1 / 60
local frames, worst, total = 0, 0, 0
local next_frame = clock()
while r:pending() > 0 do
  local t0 = clock()
  r:poll() -- never blocks: only what the sockets already hold, and due timeouts
  local spent = clock() - t0
  worst, total, frames = math.max(worst, spent), total + spent, frames + 1
  -- "render", then wait for the next frame (a real game would vsync here)
  next_frame = next_frame + FRAME
  local left = next_frame - clock()
  if has_socket and left > 0 then socket.sleep(left) end
  while clock() < next_frame do end
end
r:close()
print(("%d frames; poll() took %.3f ms at most, %.3f ms on average (frame budget %.1f ms)")
  :format(frames, worst * 1000, total / frames * 1000, FRAME * 1000))
