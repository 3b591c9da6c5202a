#!/usr/bin/env bash
# Installs what mxrecord needs to build, test and run its demo on Debian 12
# or Ubuntu, when it is missing. Safe to run again.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  lua5.4 liblua5.4-dev lua5.3 liblua5.3-dev   # Lua 5.4 (main), 5.3 (build check)
  luajit2 libluajit2-5.1-dev                  # OpenResty's LuaJIT branch (not Debian's "luajit")
  libc-ares-dev                               # c-ares
  libidn2-dev                                 # IDN domains to A-labels
  lua-busted lua-socket luarocks              # tests, fault server, rock build
  knot                                        # the local authoritative DNS server
  lua-cqueues lua-luv neovim                  # hosts: cqueues, libuv, headless Neovim (specs)
  nginx libnginx-mod-http-lua lua-resty-core lua-cjson  # host: OpenResty's Lua module (specs)
  clang libclang-rt-dev clang-format          # libFuzzer for the parser's fuzz target; style check
  redis-server libhiredis-dev lua-nginx-redis # the fleet: Redis, its C client, the nginx client
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# knot's package starts a system knotd; the project runs its own on a free port.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now knot >/dev/null 2>&1 || true; fi
