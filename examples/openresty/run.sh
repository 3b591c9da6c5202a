#!/usr/bin/env bash
# examples/openresty/run.sh PORT: nginx (Debian's, with OpenResty's Lua
# module) in the foreground on 127.0.0.1:PORT, with mxrecord from this
# checkout (LuaJIT build: scripts/build.sh 5.1). DNS servers from
# MXRECORD_SERVERS ("ip:port,..."), else /etc/resolv.conf; MXRECORD_TIMEOUT
# seconds per try (default 2).
#   GET /mx?domain=D         the domain's profile as JSON
#   GET /verify?address=A    the verification verdict as JSON
#   GET /verify?address=A&smtp=1  ... asking the mail server too (MXRECORD_HELO: the prober's
#                            name; MXRECORD_SMTP_PORT (25); MXRECORD_SMTP_PRIVATE=1 allows loopback MX)
#   GET /posture?domain=D    the domain's mail posture (SPF, DMARC, MTA-STS, ...) as JSON
#   GET /mx-timer?domain=D   the profile, looked up from an ngx.timer callback
#   GET /in-set?domain=D     a lookup attempted in set_by_lua (no cosockets): the error
set -euo pipefail
port=${1:?usage: run.sh PORT}
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$root/build-5.1/mxrecord/core.so" ] || bash "$root/scripts/build.sh" 5.1
dir=$(mktemp -d /tmp/mxrecord-nginx.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/logs" "$dir/tmp"
modules=/usr/lib/nginx/modules
cat > "$dir/nginx.conf" <<CONF
load_module $modules/ndk_http_module.so;
load_module $modules/ngx_http_lua_module.so;
worker_processes 1;
error_log stderr warn;
pid $dir/nginx.pid;
env MXRECORD_SERVERS;
env MXRECORD_TIMEOUT;
env MXRECORD_HELO;
env MXRECORD_SMTP_PORT;
env MXRECORD_SMTP_PRIVATE;
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
  init_worker_by_lua_block { require("mxrecord_app").init() }
  server {
    listen 127.0.0.1:$port;
    default_type application/json;
    location = /mx { content_by_lua_block { require("mxrecord_app").mx() } }
    location = /verify { content_by_lua_block { require("mxrecord_app").verify() } }
    location = /posture { content_by_lua_block { require("mxrecord_app").posture() } }
    location = /mx-timer { content_by_lua_block { require("mxrecord_app").mx_timer() } }
    location = /in-set {
      default_type text/plain;
      set_by_lua_block \$result { return require("mxrecord_app").in_set() }
      return 200 "\$result\n";
    }
  }
}
CONF
echo "nginx on 127.0.0.1:$port (DNS: ${MXRECORD_SERVERS:-system})" >&2
nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
wait $pid
