#!/usr/bin/env bash
# scripts/setup.sh demo|test: installs the Debian/Ubuntu packages that the
# demo (scripts/demo.sh) or the tests (scripts/test.sh) need, when they are
# missing. Safe to run again; does nothing when everything is there.
#
# Without surprises: packages that start a system service when installed
# (knot, nginx, postfix, postgrey, redis-server, unbound) are installed under a
# temporary /usr/sbin/policy-rc.d that forbids starts (a policy-rc.d that was
# there is put back), postfix is preseeded to "No configuration", and nothing
# is stopped or disabled: services you run already keep running. The demo and
# the tests start their own servers on 127.0.0.1 with free ports.
set -euo pipefail

# The demo: build the module for Lua 5.4 and serve the bundled zones with knotd.
DEMO_PACKAGES=(
  build-essential cmake pkg-config   # compiler and build
  lua5.4 liblua5.4-dev               # Lua 5.4
  libc-ares-dev libidn2-dev          # c-ares, IDN domains to A-labels
  lua-socket                         # scripts/with_dns.lua (free port, readiness probe)
  knot                               # knotd, the private authoritative DNS server
)
# The tests: the demo's packages and these.
TEST_PACKAGES=(
  lua5.3 liblua5.3-dev                # Lua 5.3 (build check)
  luajit2 libluajit2-5.1-dev          # OpenResty's LuaJIT branch (not Debian's "luajit")
  lua-busted luarocks                 # specs, rock build
  lua-cqueues lua-luv neovim          # hosts: cqueues, libuv, headless Neovim
  nginx libnginx-mod-http-lua lua-resty-core lua-cjson  # host: OpenResty's Lua module
  clang libclang-rt-dev clang-format  # libFuzzer for the fuzz targets; style check
  postfix postgrey swaks              # SMTP specs (a loopback postfix)
  unbound                             # a recursive resolver on loopback
  redis-server libhiredis-dev lua-nginx-redis  # the fleet: Redis, its C client, the nginx client
  publicsuffix                        # the public suffix list
  chromium                            # the HTML report spec (headless)
  dnsperf                             # bulk benchmark (bench/bulk.sh)
  curl                                # scripts/cares.sh fetches c-ares 1.34.5 from Debian's archive
)

case "${1:-}" in
  demo) PACKAGES=("${DEMO_PACKAGES[@]}") ;;
  test) PACKAGES=("${DEMO_PACKAGES[@]}" "${TEST_PACKAGES[@]}") ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}" >&2

policy=/usr/sbin/policy-rc.d saved=""
restore_policy() {
  if [ -n "$saved" ]; then $SUDO mv -f "$saved" "$policy"; else $SUDO rm -f "$policy"; fi
}
# Whatever is installed (a dependency may bring a service too): invoke-rc.d
# and deb-systemd-invoke ask policy-rc.d before starting anything, and 101
# means "action forbidden".
if [ -e "$policy" ]; then
  saved=$($SUDO mktemp /usr/sbin/policy-rc.d.mxrecord-saved.XXXXXX)
  $SUDO cp -p "$policy" "$saved"
fi
trap restore_policy EXIT
printf '#!/bin/sh\n# installed by mxrecord scripts/setup.sh while it installs packages\nexit 101\n' |
  $SUDO tee "$policy" >/dev/null
$SUDO chmod 755 "$policy"
case " ${missing[*]} " in
  *" postfix "*)
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections ;;
esac

$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
