-- Run inside `nvim --headless`: :MxLookup $MXLOOKUP_DOMAIN, then counts how
-- often a 5 ms timer fires while the answer is awaited (Neovim responsive),
-- and writes what the buffer shows to $NVIM_CHECK_OUT.
local out = assert(io.open(os.getenv("NVIM_CHECK_OUT"), "w"))
local ok, err = pcall(vim.cmd, "MxLookup " .. os.getenv("MXLOOKUP_DOMAIN"))
if not ok then
  out:write("ERROR ", tostring(err), "\n")
  out:close()
  vim.cmd("qa!")
  return
end
local buf = vim.api.nvim_get_current_buf()
out:write("BEFORE ", vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1], "\n")
local ticks = 0
local t = vim.loop.new_timer()
t:start(0, 5, vim.schedule_wrap(function() ticks = ticks + 1 end))
local done = vim.wait(10000, function()
  local okv, v = pcall(vim.api.nvim_buf_get_var, buf, "mxlookup_done")
  return okv and v
end, 5)
t:stop()
t:close()
out:write("DONE ", tostring(done), "\nTICKS ", ticks, "\n")
for _, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do out:write("LINE ", line, "\n") end
out:close()
vim.cmd("qa!")
