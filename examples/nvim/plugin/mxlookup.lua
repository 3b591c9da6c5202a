-- :MxLookup DOMAIN: a Neovim plugin (0.7+) over mxrecord. Opens a scratch
-- buffer that fills with the domain's profile (provider, gateway, senders,
-- MX hosts) when the answer arrives; Neovim stays responsive meanwhile: the
-- resolver runs on Neovim's libuv loop (vim.loop) and its callbacks through
-- vim.schedule.
--
-- Put examples/nvim on the runtimepath (set rtp+=/path/to/mxrecord/examples/nvim).
-- The Lua modules are found next to it (../../lua); the C module in
-- g:mxrecord_cpath (a package.cpath pattern), $MXRECORD_CPATH, or the
-- checkout's LuaJIT build (build-5.1/?.so, from scripts/build.sh 5.1).
-- DNS servers: g:mxrecord_servers or $MXRECORD_SERVERS ("ip:port,..."),
-- else the system's; g:mxrecord_timeout seconds per try (default 2).
if vim.g.loaded_mxlookup then return end
vim.g.loaded_mxlookup = true

local here = debug.getinfo(1, "S").source:match("^@(.*)/plugin/[^/]*$") or "."
local root = here .. "/../.."
package.path = ("%s/lua/?.lua;%s/lua/?/init.lua;"):format(root, root) .. package.path
package.cpath = (vim.g.mxrecord_cpath or os.getenv("MXRECORD_CPATH") or (root .. "/build-5.1/?.so")) .. ";"
  .. package.cpath

local resolver

local function get_resolver()
  if resolver then return resolver end
  local mxrecord = require "mxrecord"
  local r = mxrecord.resolver {
    servers = vim.g.mxrecord_servers or os.getenv("MXRECORD_SERVERS"),
    timeout = vim.g.mxrecord_timeout or 2,
  }
  resolver = require("mxrecord.luv").attach(r, {
    uv = vim.loop,
    schedule = vim.schedule,
    on_error = function(msg) vim.notify(msg, vim.log.levels.ERROR) end,
  })
  return resolver
end

local function describe(domain, p, err)
  if not p then return { domain .. ": " .. tostring(err) } end
  local prov = p.provider
  local lines = { domain, "", "provider: " .. prov.name .. " (" .. prov.category .. ")" }
  if prov.gateway then lines[#lines + 1] = "gateway:  " .. prov.gateway.name end
  local senders = {}
  for _, s in ipairs(prov.senders) do senders[#senders + 1] = s.name end
  if #senders > 0 then lines[#lines + 1] = "senders:  " .. table.concat(senders, ", ") end
  if p.mx_error then lines[#lines + 1] = "MX lookup failed: " .. p.mx_error.message end
  if p.spf_error then lines[#lines + 1] = "TXT lookup failed: " .. p.spf_error.message end
  if p.mx then
    lines[#lines + 1] = "MX (" .. p.mx.status .. "):"
    for _, rec in ipairs(p.mx.records) do
      lines[#lines + 1] = ("  %5d  %s"):format(rec.preference, rec.exchange)
    end
  end
  if p.spf then lines[#lines + 1] = "SPF: " .. p.spf end
  return lines
end

local function set_lines(buf, lines)
  vim.api.nvim_buf_set_option(buf, "modifiable", true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.api.nvim_buf_set_option(buf, "modifiable", false)
end

vim.api.nvim_create_user_command("MxLookup", function(args)
  local domain = args.args
  vim.cmd("enew")
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_option(buf, "buftype", "nofile")
  vim.api.nvim_buf_set_option(buf, "bufhidden", "wipe")
  vim.api.nvim_buf_set_option(buf, "swapfile", false)
  pcall(vim.api.nvim_buf_set_name, buf, "mxlookup://" .. domain)
  set_lines(buf, { "Looking up " .. domain .. " ..." })
  get_resolver():profile(domain, function(p, err)
    if not vim.api.nvim_buf_is_valid(buf) then return end
    set_lines(buf, describe(domain, p, err))
    vim.api.nvim_buf_set_var(buf, "mxlookup_done", true)
  end)
end, { nargs = 1, desc = "Look up a domain's mail provider (mxrecord)" })
