-- prospect_report.lua: the HTML page of `prospect.lua --html FILE`. One
-- self-contained file (inline CSS and SVG, no script, nothing fetched):
-- the figures, three bar charts (provider share, categories, security
-- gateways) and the table of domains. Each chart is an <svg id="chart-...">
-- whose bars are <g class="bar" data-label=... data-value=...>, so a test
-- (spec/21_report_spec.lua) can read the numbers back from the DOM.
local utf8fix = require("mxrecord").json.utf8

local M = {}

local function esc(s)
  return (utf8fix(tostring(s)):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
    ["'"] = "&#39;" }))
end

local PALETTE = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
  "#bab0ac" }

-- counts (name -> n) as a sorted list, the tail beyond `top` folded into "other".
local function sorted(counts, top)
  local list = {}
  for k, n in pairs(counts) do list[#list + 1] = { label = k, value = n } end
  table.sort(list, function(a, b) return a.value > b.value or (a.value == b.value and a.label < b.label) end)
  if top and #list > top then
    local other = 0
    for k = top, #list do other = other + list[k].value end
    for k = #list, top, -1 do list[k] = nil end
    list[#list + 1] = { label = "other", value = other }
  end
  return list
end

-- A horizontal bar chart as inline SVG.
local function bars(id, title, counts, total, top)
  local list = sorted(counts, top)
  local row, labelw, barw = 26, 230, 360
  local h = math.max(#list, 1) * row + 10
  local max = 1
  for _, e in ipairs(list) do max = math.max(max, e.value) end
  local out = {
    ('<figure><figcaption>%s</figcaption>'):format(esc(title)),
    ('<svg id="%s" class="chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">')
      :format(id, labelw + barw + 110, h, labelw + barw + 110, h, esc(title)),
  }
  if #list == 0 then
    out[#out + 1] = '<text x="0" y="18" class="none">none</text>'
  end
  for k, e in ipairs(list) do
    local y = (k - 1) * row + 5
    local w = math.max(2, math.floor(barw * e.value / max + 0.5))
    local pct = 100 * e.value / math.max(total, 1)
    out[#out + 1] = ('<g class="bar" data-label="%s" data-value="%d" data-share="%.1f">'
      .. '<text x="%d" y="%d" text-anchor="end">%s</text>'
      .. '<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s: %d (%.1f%%)</title></rect>'
      .. '<text x="%d" y="%d" class="value">%d (%.1f%%)</text></g>')
      :format(esc(e.label), e.value, pct, labelw - 8, y + 15, esc(e.label), labelw, y, w, row - 8,
        PALETTE[(k - 1) % #PALETTE + 1], esc(e.label), e.value, pct, labelw + w + 6, y + 15, e.value, pct)
  end
  out[#out + 1] = "</svg></figure>"
  return table.concat(out, "\n")
end

function M.html(d)
  local parts = {
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ("<title>%s</title>"):format(esc(d.title)),
    "<style>",
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}",
    "h1{font-size:1.4em} figure{margin:1.5em 0} figcaption{font-weight:600;margin-bottom:.4em}",
    ".chart text{font:12px system-ui,sans-serif;fill:#222} .chart .value{fill:#555}",
    "dl.figures{display:flex;gap:2em} dl.figures div{background:#f4f4f4;padding:.6em 1em;border-radius:4px}",
    "dl.figures dt{font-size:.85em;color:#555} dl.figures dd{margin:0;font-size:1.5em;font-weight:600}",
    "table{border-collapse:collapse} td,th{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left}",
    "</style></head><body>",
    ("<h1>%s</h1>"):format(esc(d.title)),
    '<dl class="figures">',
    ('<div><dt>rows</dt><dd id="n-rows">%d</dd></div>'):format(d.nrows),
    ('<div><dt>domains</dt><dd id="n-domains">%d</dd></div>'):format(d.ndomains),
    ('<div><dt>duplicates</dt><dd id="n-duplicates">%d</dd></div>'):format(d.duplicates),
    ('<div><dt>without a domain</dt><dd id="n-blank">%d</dd></div>'):format(d.blank),
    "</dl>",
    ('<p>Provider rules %s. Shares are of distinct domains.</p>'):format(esc(d.rules)),
    bars("chart-providers", "Provider share", d.shares, d.ndomains, 15),
    bars("chart-categories", "Categories", d.categories, d.ndomains),
    bars("chart-gateways", "Behind a security gateway", d.gateways, d.ndomains),
    '<h2>Domains</h2><table id="domains"><thead><tr><th>domain</th><th>provider</th><th>category</th>'
      .. "<th>gateway</th><th>senders</th><th>notes</th></tr></thead><tbody>",
  }
  for _, c in ipairs(d.rows) do
    parts[#parts + 1] = ("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
      :format(esc(c.domain), esc(c.provider), esc(c.category), esc(c.gateway), esc(c.senders), esc(c.notes))
  end
  parts[#parts + 1] = "</tbody></table></body></html>\n"
  return table.concat(parts, "\n")
end

return M
