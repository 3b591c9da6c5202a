#!/usr/bin/env bash
# examples/openresty/fleet.sh PORT [PORT...]: one nginx (Debian's, with
# OpenResty's Lua module) per port on 127.0.0.1, all sharing one answer cache
# in Redis (examples/openresty/fleet_app.lua), in the foreground until
# interrupted. MXRECORD_REDIS: redis://HOST:PORT or unix:/PATH (default
# redis://127.0.0.1:6379); MXRECORD_SERVERS: DNS servers ("ip:port,...",
# else /etc/resolv.conf); MXRECORD_TIMEOUT: seconds per try (default 2).
#   GET /verify?address=A   the verdict as JSON
#   GET /cache              the worker's cache levels: l1 (r:cache_stats()), l2 (hits, misses, sets, errors)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: fleet.sh PORT [PORT...]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$root/build-5.1/mxrecord/core.so" ] || bash "$root/scripts/build.sh" 5.1
modules=/usr/lib/nginx/modules
pids=() dirs=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for d in "${dirs[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT INT TERM
for port in "$@"; do
  dir=$(mktemp -d /tmp/mxrecord-nginx-fleet.XXXXXX)
  dirs+=("$dir")
  mkdir -p "$dir/logs" "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
load_module $modules/ndk_http_module.so;
load_module $modules/ngx_http_lua_module.so;
worker_processes 1;
error_log stderr warn;
pid $dir/nginx.pid;
env MXRECORD_SERVERS;
env MXRECORD_TIMEOUT;
env MXRECORD_REDIS;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  lua_package_path "$root/lua/?.lua;$root/lua/?/init.lua;$root/examples/openresty/?.lua;/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua;;";
  lua_package_cpath "$root/build-5.1/?.so;/usr/lib/x86_64-linux-gnu/lua/5.1/?.so;;";
  init_worker_by_lua_block { require("fleet_app").init() }
  server {
    listen 127.0.0.1:$port;
    default_type application/json;
    location = /verify { content_by_lua_block { require("fleet_app").verify() } }
    location = /cache { content_by_lua_block { require("fleet_app").cache() } }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;" &
  pids+=($!)
  echo "nginx on 127.0.0.1:$port (Redis: ${MXRECORD_REDIS:-redis://127.0.0.1:6379}, DNS: ${MXRECORD_SERVERS:-system})" >&2
done
wait
