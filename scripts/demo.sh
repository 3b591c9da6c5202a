#!/usr/bin/env bash
# scripts/demo.sh [verify] [OPTIONS] [FILE]
# The main job: a prospecting report (who runs each company's mail, who guards
# it, who sends for it) over the bundled example companies, served by a
# private DNS server (knotd on 127.0.0.1, a free port, through
# scripts/with_dns.lua), so it runs on a machine with no DNS of its own.
# `verify` shows a verification run over the bundled addresses instead.
# Installs the demo's packages (scripts/setup.sh demo) and builds first.
# Options pass through to examples/prospect.lua (or verify.lua): --help.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=prospect data=examples/data/companies.csv
if [ "${1:-}" = verify ]; then
  tool=verify data=examples/data/addresses.csv
  shift
fi
bash scripts/setup.sh demo
bash scripts/build.sh 5.4
# Without a FILE (an argument that is not an option or an option's value), the bundled list.
args=("$@") file=""
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --concurrency | --column | --html) i=$((i + 1)) ;;
    --*) ;;
    *) file=${args[i]} ;;
  esac
done
[ -n "$file" ] || args+=("$data")
exec lua5.4 scripts/with_dns.lua -- lua5.4 "examples/$tool.lua" "${args[@]}"
