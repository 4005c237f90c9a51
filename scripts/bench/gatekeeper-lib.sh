# Shared by gatekeeper-wrk.sh and gatekeeper-soak.sh (sourced, not run):
# checks the tools, builds the binaries, starts the upstream, the
# gatekeeper and nginx on loopback, and stops them on exit.
#
# Processes: the upstream is adapter-bench's axum hello-world without the
# layer (one worker). It also mints one valid access token (TOKENS file) and
# serves its pool's JWKS on loopback (POOL file: a [pools.bench] section the
# gatekeeper's configuration includes). Core placement, identical for every
# configuration measured: the servers (upstream, gatekeeper, nginx) all run
# on core 0, wrk on core 1. On a 2-core machine the proxy under test and
# the upstream must then share a core; giving either its own core would
# leave wrk sharing a core with a server instead, which distorts more.

UP_PORT=8191      # adapter-bench (upstream)
GK_PORT=8192      # cognito-gatekeeper (reverse proxy and forward-auth)
NGX_PORT=8193     # nginx proxy_pass -> upstream
NGX_FA_PORT=8194  # nginx auth_request -> gatekeeper, then proxy_pass -> upstream

need() { # tool, how to get it
    command -v "$1" >/dev/null || { echo "$1 is required: $2" >&2; exit 1; }
}
need wrk "apt-get install wrk"
need nginx "apt-get install nginx-light (or nginx; needs the auth_request module)"
need taskset "apt-get install util-linux"
need curl "apt-get install curl"
need pgrep "apt-get install procps"

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

build() {
    cargo build --release -q -p cognito-examples --bin adapter-bench
    cargo build --release -q -p cognito-gatekeeper --bin cognito-gatekeeper
}

wait_http() { # url: until it answers (any status), at most 20 s
    for _ in $(seq 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "nothing answers at $1" >&2; exit 1
}

start_upstream() { # sets UP_PID
    taskset -c 0 target/release/adapter-bench --framework axum --auth off --tokens same \
        --port "$UP_PORT" --tokens-file "$WORK/tokens" --pool-file "$WORK/pool.toml" \
        --workers 1 >/dev/null &
    UP_PID=$!
    PIDS+=("$UP_PID")
    wait_http "http://127.0.0.1:$UP_PORT/"
    for _ in $(seq 100); do [ -s "$WORK/pool.toml" ] && break; sleep 0.1; done
    TOKEN=$(head -1 "$WORK/tokens")
}

# CPU time a process has used so far (user + system, all its threads), in
# clock ticks, from /proc/PID/stat (fields 14 and 15; the command name in
# field 2 has no spaces here).
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat"
}
CLK_TCK=$(getconf CLK_TCK)

start_gatekeeper() { # sets GK_PID
    cat > "$WORK/gatekeeper.toml" <<TOML
listen = "127.0.0.1:$GK_PORT"
preset = "api-gateway-http"
forward_auth_path = "/auth"

[upstreams.app]
url = "http://127.0.0.1:$UP_PORT"

$(cat "$WORK/pool.toml")

[authorizers.cognito]
pools = ["bench"]
preset = "api-gateway-http"

[mappings.identity]
"overwrite:header.x-user-sub" = "\$context.authorizer.claims.sub"

[[routes]]
route = "GET /"
authorizer = "cognito"
upstream = "app"
mapping = "identity"
TOML
    RUST_LOG=warn taskset -c 0 target/release/cognito-gatekeeper --config "$WORK/gatekeeper.toml" \
        >"$WORK/gatekeeper.log" 2>&1 &
    GK_PID=$!
    PIDS+=("$GK_PID")
    for _ in $(seq 200); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GK_PORT/readyz")" = 200 ] && break
        kill -0 "$GK_PID" 2>/dev/null || { cat "$WORK/gatekeeper.log" >&2; exit 1; }
        sleep 0.1
    done
    expect 200 "http://127.0.0.1:$GK_PORT/" "the gatekeeper with the token"
    expect 401 "http://127.0.0.1:$GK_PORT/" "the gatekeeper without a token" none
}

start_nginx() { # sets NGX_WORKER_PID
    mkdir -p "$WORK/nginx"
    local proxy='proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;'
    cat > "$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    upstream app { server 127.0.0.1:$UP_PORT; keepalive 64; }
    upstream gatekeeper { server 127.0.0.1:$GK_PORT; keepalive 64; }
    server {
        listen 127.0.0.1:$NGX_PORT;
        location / {
            proxy_pass http://app;
            $proxy
        }
    }
    server {
        listen 127.0.0.1:$NGX_FA_PORT;
        location / {
            auth_request /_auth;
            auth_request_set \$user_sub \$upstream_http_x_user_sub;
            proxy_set_header X-User-Sub \$user_sub;
            proxy_pass http://app;
            $proxy
        }
        location = /_auth {
            internal;
            proxy_pass http://gatekeeper/auth;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URI \$request_uri;
            proxy_set_header X-Original-Method \$request_method;
        }
    }
}
CONF
    taskset -c 0 nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
    local master=$!
    PIDS+=("$master")
    wait_http "http://127.0.0.1:$NGX_PORT/"
    NGX_WORKER_PID=$(pgrep -P "$master" | head -1)
    [ -n "$NGX_WORKER_PID" ] || { echo "no nginx worker process" >&2; exit 1; }
    expect 200 "http://127.0.0.1:$NGX_PORT/" "nginx proxy_pass"
    expect 200 "http://127.0.0.1:$NGX_FA_PORT/" "nginx auth_request with the token"
    expect 401 "http://127.0.0.1:$NGX_FA_PORT/" "nginx auth_request without a token" none
}

expect() { # status url what [none: no token]
    local auth=(-H "Authorization: Bearer $TOKEN")
    if [ "${4:-}" = none ]; then auth=(); fi
    local got
    got=$(curl -s -o /dev/null -w "%{http_code}" "${auth[@]}" "$2" || true)
    [ "$got" = "$1" ] || { echo "$3 answered $got, not $1" >&2; exit 1; }
}
