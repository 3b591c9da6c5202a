-- mxrecord.domain_of(s): the domain in what people put in a list's
-- "website" or "email" column. Pure string work, no DNS.
--
--   "https://www.Acme.com/about?x=1"      --> "acme.com"
--   "Jane Doe <jane@Acme.com>"             --> "acme.com"
--   "mailto:sales@acme.com"                --> "acme.com"
--   "acme.com."  " www.acme.com "          --> "acme.com"
--   "http://user:pw@acme.com:8080/"        --> "acme.com"
--   ""  "   "  "https:///x"               --> nil, "no domain in '...'"
--
-- Lower case (ASCII letters), no trailing dot, a leading "www." dropped (a
-- company's mail lives at its domain, not at its web server's name). A
-- Unicode domain is returned as written; resolvers convert it to A-labels.
-- Whether the result is a valid name is for mxrecord.normalize_name (or the
-- lookup) to say.
local M = {}

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

function M.domain_of(s)
  if type(s) ~= "string" then
    error(("bad argument #1 to 'domain_of' (string expected, got %s)"):format(type(s)), 2)
  end
  local d = trim(s)
  d = d:match("<([^<>]*)>") or d -- Name <user@domain>
  d = trim(d):gsub("^[Mm][Aa][Ii][Ll][Tt][Oo]:", "")
  local scheme_less = d:match("^%a[%w+.-]*://(.*)$")
  if scheme_less then
    d = scheme_less:match("^[^/?#]*")   -- the authority
    d = d:match("@([^@]*)$") or d       -- user:password@host
  else
    d = d:match("@([^@]*)$") or d       -- user@domain ("a@b"@domain: the last @)
    d = d:match("^[^/?#]*")             -- domain/path
  end
  if d:match("^%[.*%]") then            -- [IPv6] literal: not a domain
    return nil, ("no domain in '%s'"):format(s)
  end
  d = d:gsub(":%d*$", "")               -- :port
  d = trim(d):lower():gsub("%.+$", ""):gsub("^www%.", "")
  if d == "" then return nil, ("no domain in '%s'"):format(s) end
  return d
end

return M
