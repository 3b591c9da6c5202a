#!/usr/bin/env bash
# scripts/cares.sh [build|specs [SPEC...]|check]: mxrecord against c-ares 1.34.5.
#
# Debian 12 ships c-ares 1.18.1, so the core's newer-API branches
# (`#if ARES_VERSION >= 0x011c00` in src/core/mxr_resolver.c: ares_send_dnsrec,
# ares_dns_write, the query cache option) would otherwise only ever be
# compiled against a header probe (.ci/cares-1.34-api). This script:
#   1. fetches c-ares 1.34.5 from Debian's archive (trixie's upstream tarball,
#      byte-identical to upstream's release c-ares-1.34.5.tar.gz) and checks
#      its pinned sha256;
#   2. builds it with CMake (shared, no tools or tests) into
#      build-cares134/prefix (build-*/ is gitignored);
#   3. builds mxrecord for Lua 5.4 against it (CMake's CARES_DIR, warnings as
#      errors) into build-cares134/build/mxrecord/core.so, with a run path to
#      the new libcares;
#   4. checks at run time that core.so really loaded 1.34.5 (mxrecord.core's
#      cares_version), not the system's libcares.so.2 (same soname).
# `specs` then runs busted specs (default: the resolver-level ones) under
# Lua 5.4 against that build; `check` only does step 4.
#
# Exit codes: 0 done; 1 a build or spec failed; 2 usage; 3 Debian's archive
# is unreachable (no network: callers may skip); 4 the tarball's checksum is
# wrong; 5 core.so did not load c-ares 1.34.5; 6 the archive answered but no
# longer has the file (Debian's pool drops a superseded upstream version).
# CARES_URL=... fetches from elsewhere (a mirror, snapshot.debian.org);
# CARES_TARBALL=/path/to/c-ares_1.34.5.orig.tar.gz uses a copy already fetched
# (both are checksummed all the same). Needs curl, cmake, a C compiler, lua5.4.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

VERSION=1.34.5
URL=${CARES_URL:-http://deb.debian.org/debian/pool/main/c/c-ares/c-ares_${VERSION}.orig.tar.gz}
# The same digest as upstream's https://github.com/c-ares/c-ares/releases/download/v1.34.5/c-ares-1.34.5.tar.gz
# (Debian's .orig.tar.gz is upstream's release tarball; its .asc is not in the pool).
SHA256=7d935790e9af081c25c495fd13c2cfcda4792983418e96358ef6e7320ee06346

top=$root/build-cares134
prefix=$top/prefix
tarball=$top/c-ares_${VERSION}.orig.tar.gz
build=$top/build
# The resolver-level specs: the resolver, its faults and callbacks, the bulk
# and verify paths over it, the contract and hardening specs, and the
# pressure spec (bursts, silent servers, the wire window).
RESOLVER_SPECS=(spec/01_names_and_options_spec.lua spec/02_answers_spec.lua spec/02_resolver_spec.lua
  spec/03_faults_spec.lua spec/04_callbacks_spec.lua spec/05_classify_spec.lua spec/09_verify_spec.lua
  spec/10_bulk_spec.lua spec/13_contract_spec.lua spec/14_hardening_spec.lua spec/22_pressure_spec.lua)

say() { echo "cares.sh: $*" >&2; }

fetch() {
  mkdir -p "$top"
  [ -f "$prefix/.built-$SHA256" ] && [ -e "$prefix/lib/libcares.so" ] && return 0 # built already from this tarball
  if [ -n "${CARES_TARBALL:-}" ]; then
    cp "$CARES_TARBALL" "$tarball.part"
  elif [ -f "$tarball" ] && echo "$SHA256  $tarball" | sha256sum -c --quiet - >/dev/null 2>&1; then
    return 0
  else
    say "fetching $URL"
    local rc=0
    curl -fsSL --connect-timeout 15 --max-time 300 --retry 2 -o "$tarball.part" "$URL" || rc=$?
    if [ $rc -eq 22 ]; then # the server answered with an HTTP error: the pool no longer has this version
      rm -f "$tarball.part"
      say "$URL: HTTP error: Debian's pool no longer has c-ares $VERSION; update VERSION and SHA256 here," \
        "or set CARES_URL (e.g. a snapshot.debian.org address) or CARES_TARBALL"
      exit 6
    elif [ $rc -ne 0 ]; then
      rm -f "$tarball.part"
      say "Debian's archive is unreachable ($URL, curl exit $rc): c-ares $VERSION not fetched"
      exit 3
    fi
  fi
  if ! echo "$SHA256  $tarball.part" | sha256sum -c --quiet - >/dev/null 2>&1; then
    say "checksum mismatch for c-ares $VERSION: got $(sha256sum "$tarball.part" | cut -d' ' -f1), want $SHA256"
    rm -f "$tarball.part"
    exit 4
  fi
  mv "$tarball.part" "$tarball"
}

build_cares() {
  local stamp=$prefix/.built-$SHA256
  [ -f "$stamp" ] && [ -e "$prefix/lib/libcares.so" ] && return 0
  rm -rf "$top/src" "$top/cares-build" "$prefix"
  mkdir -p "$top/src"
  tar -xzf "$tarball" -C "$top/src" --strip-components=1
  say "building c-ares $VERSION into $prefix"
  nice -n 10 cmake -S "$top/src" -B "$top/cares-build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DCARES_SHARED=ON -DCARES_STATIC=OFF \
    -DCARES_BUILD_TOOLS=OFF -DCARES_BUILD_TESTS=OFF -DCARES_SYMBOL_HIDING=ON >"$top/cares-cmake.log" 2>&1 ||
    { tail -30 "$top/cares-cmake.log" >&2; return 1; }
  nice -n 10 cmake --build "$top/cares-build" -j2 >"$top/cares-build.log" 2>&1 ||
    { tail -30 "$top/cares-build.log" >&2; return 1; }
  cmake --install "$top/cares-build" >/dev/null
  touch "$stamp"
}

build_mxrecord() {
  say "building mxrecord (Lua 5.4) against $prefix"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMXRECORD_WERROR=ON -DLUA_VERSION=5.4 \
    -DCARES_DIR="$prefix" >/dev/null
  nice -n 10 cmake --build "$build" -j2 >/dev/null
}

check() { # core.so's c-ares, seen from Lua at run time, and the file the loader mapped
  local out
  out=$(env -u LD_PRELOAD -u LD_LIBRARY_PATH lua5.4 -e "
    package.cpath = '$build/?.so'
    local core = require 'mxrecord.core'
    local maps = io.open('/proc/self/maps'):read('a')
    print(core.cares_version, maps:match('%S*libcares[^\n]*') or '?')") || { say "core.so does not load"; exit 5; }
  read -r v lib <<<"$out"
  if [ "$v" != "$VERSION" ] || [ "${lib#"$prefix"/lib/}" = "$lib" ]; then
    say "core.so runs c-ares $v from $lib, not $VERSION from $prefix/lib"
    exit 5
  fi
  say "core.so runs c-ares $v ($lib)"
}

specs() { # busted under Lua 5.4 against the 1.34.5 build
  [ $# -gt 0 ] || set -- "${RESOLVER_SPECS[@]}"
  env -u LD_PRELOAD lua5.4 /usr/bin/busted -o plainTerminal --cpath="$build/?.so" "$@"
}

case "${1:-build}" in
  build) fetch; build_cares; build_mxrecord; check ;;
  check) check ;;
  specs) shift; fetch; build_cares; build_mxrecord; check; specs "$@" ;;
  *) echo "usage: $0 [build|specs [SPEC...]|check]" >&2; exit 2 ;;
esac
