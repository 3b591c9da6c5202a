#!/usr/bin/env bash
# The main job: a prospecting report (who runs each company's mail, who guards
# it, who sends for it) over the bundled example companies, served by a
# bundled local DNS server (knotd on 127.0.0.1), so it runs on a machine with
# no DNS of its own. Installs and builds what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh 5.4
export LUA_PATH="./?.lua;./lua/?.lua;./lua/?/init.lua;;"
export LUA_CPATH="./build-5.4/?.so;;"
# Options pass through to prospect.lua; without a FILE, the bundled list.
args=("$@") file=""
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --concurrency) i=$((i + 1)) ;;
    --*) ;;
    *) file=${args[i]} ;;
  esac
done
[ -n "$file" ] || args+=(examples/data/companies.csv)
exec lua5.4 scripts/with_dns.lua test=examples/data/companies.test.zone -- \
  lua5.4 examples/prospect.lua "${args[@]}"
