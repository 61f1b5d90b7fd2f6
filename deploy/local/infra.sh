#!/usr/bin/env bash
# Local infrastructure without Docker (DESIGN §4): Kafka 3.9 (KRaft, jars from Maven Central),
# FerretDB (MongoDB wire protocol over SQLite) and Prometheus, all under the git-ignored .local/.
#
#   infra.sh install   fetch/build what is missing (idempotent)
#   infra.sh up        start what is not already answering, wait until ready, create topics
#   infra.sh down      stop what `up` started (by pid file)
#   infra.sh status    show what runs
#
# KAFKA_BOOTSTRAP_SERVERS / MONGODB_URI, when set, point at servers run elsewhere: those are
# not started here (topics are still created on that Kafka).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/local"
LOCAL="$ROOT/.local"
LOGS="$LOCAL/logs"
RUN="$LOCAL/run"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
PYTHON_SYS="$(command -v python3)" # for `install`, which may run before the venv exists
KAFKA_LIBS="$LOCAL/kafka/libs"
FERRETDB_BIN="$LOCAL/bin/ferretdb"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-$(command -v prometheus || echo /usr/bin/prometheus)}"
READY_TIMEOUT="${ADUAN_READY_TIMEOUT:-180}"

KAFKA_ADDR=127.0.0.1:9092
MONGO_ADDR=127.0.0.1:27017
PROM_ADDR=127.0.0.1:9090

log() { echo "infra: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- install -----------------------------------------------------------------------------

install_kafka() {
    # The stamp holds the POM's hash: a changed POM (e.g. another Kafka version) re-fetches.
    local stamp="$KAFKA_LIBS/.pom.sha256" want
    want="$(sha256sum "$HERE/kafka/pom.xml" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
    command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
    log "fetching Kafka jars from Maven Central into $KAFKA_LIBS"
    rm -rf "$KAFKA_LIBS.tmp"
    mkdir -p "$LOGS"
    # Maven's console output is noisy (and coloured even in batch mode): keep it in a log.
    if ! mvn -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$KAFKA_LIBS.tmp" -DincludeScope=runtime >"$LOGS/mvn.log" 2>&1; then
        tail -n 30 "$LOGS/mvn.log" >&2
        die "mvn failed (full log: $LOGS/mvn.log)"
    fi
    rm -rf "$KAFKA_LIBS" && mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
    echo "$want" >"$stamp"
}

# A Go that can build go.mod's `go 1.24`: the one on PATH when >= 1.21 (it fetches a newer
# toolchain itself if needed), else the toolchain module from the Go proxy into .local/go.
GO_FALLBACK=go1.24.11
find_go() {
    local minor
    if command -v go >/dev/null; then
        minor="$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')"
        if ((minor >= 21)); then command -v go; return; fi
    fi
    if [[ ! -x "$LOCAL/go/bin/go" ]]; then
        local arch zip="$LOCAL/go-toolchain.zip"
        arch="$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')"
        log "no Go >= 1.21 on PATH: fetching $GO_FALLBACK from the Go module proxy"
        curl -fsSL -o "$zip" \
            "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-$GO_FALLBACK.linux-$arch.zip"
        rm -rf "$LOCAL/go" "$LOCAL/go.tmp"
        python3 -m zipfile -e "$zip" "$LOCAL/go.tmp"
        mv "$LOCAL/go.tmp/golang.org/toolchain@v0.0.1-$GO_FALLBACK.linux-$arch" "$LOCAL/go"
        rm -rf "$zip" "$LOCAL/go.tmp"
        chmod -R +x "$LOCAL/go/bin" "$LOCAL/go/pkg/tool" # zip extraction drops the modes
    fi
    echo "$LOCAL/go/bin/go"
}

# FerretDB 1.24.2 from the Go module proxy, patched so that by-key queries use the indexes
# (ferretdb/pushdown-index.patch; see deploy/local/README.md): the module is downloaded
# (checked against go.sum), copied under .local/ferretdb-src/, patched, and the wrapper is
# built against that copy through a generated go.mod with a `replace` directive. The
# committed go.mod stays untouched.
FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2
install_ferretdb() {
    local src="$HERE/ferretdb" go build="$LOCAL/ferretdb-src" mod tree
    if [[ -x "$FERRETDB_BIN" && -z "$(find "$src" -newer "$FERRETDB_BIN" -type f)" ]]; then
        return
    fi
    go="$(find_go)"
    log "fetching $FERRETDB_MODULE@$FERRETDB_VERSION from the Go module proxy"
    mod="$(cd "$src" && "$go" mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" |
        "$PYTHON_SYS" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
    tree="$build/FerretDB@$FERRETDB_VERSION"
    rm -rf "$build" && mkdir -p "$build"
    cp -R "$mod" "$tree" && chmod -R u+w "$tree"
    # The copy lies inside this repository's work tree: make it its own repository so that
    # `git apply` takes the patch's paths relative to the module root.
    git -C "$tree" init -q
    git -C "$tree" apply --whitespace=nowarn "$src/pushdown-index.patch" ||
        die "pushdown-index.patch does not apply to $FERRETDB_MODULE@$FERRETDB_VERSION"
    cp "$src/go.mod" "$build/wrapper.mod" && cp "$src/go.sum" "$build/wrapper.sum"
    echo "replace $FERRETDB_MODULE => $tree" >>"$build/wrapper.mod"
    log "building the patched FerretDB wrapper into $FERRETDB_BIN"
    mkdir -p "$(dirname "$FERRETDB_BIN")"
    (cd "$src" && "$go" build -modfile="$build/wrapper.mod" -trimpath -o "$FERRETDB_BIN.tmp" .)
    mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
}

install_prometheus() {
    if [[ -x "$PROMETHEUS_BIN" ]]; then return; fi
    local sudo=""
    if [[ $EUID -ne 0 ]]; then sudo="sudo"; fi
    log "installing prometheus with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus
    PROMETHEUS_BIN=/usr/bin/prometheus
}

cmd_install() {
    mkdir -p "$LOCAL"
    install_kafka
    install_ferretdb
    install_prometheus
}

# --- processes ---------------------------------------------------------------------------

# pid of a process we started and that still runs (checked against its command line, so a
# recycled pid is not mistaken for ours); empty otherwise.
running_pid() {
    local name="$1" pattern="$2" pid
    [[ -f "$RUN/$name.pid" ]] || return 0
    pid="$(cat "$RUN/$name.pid")"
    if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$pattern"; then
        echo "$pid"
    fi
}

answers() { # host:port accepts TCP connections
    (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null
}

# Start "$@" detached (own session, no terminal, stdio to a log) and record its pid.
spawn() {
    local name="$1"; shift
    log "starting $name (log: $LOGS/$name.log)"
    # 9>&-: the server must not inherit (and so hold forever) the lock taken by cmd_up.
    nohup setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 9>&- &
    echo $! >"$RUN/$name.pid"
}

start_kafka() {
    local conf="$LOCAL/kafka/server.properties"
    [[ -f "$KAFKA_LIBS/.pom.sha256" ]] || die "Kafka jars missing: run '$0 install'"
    mkdir -p "$LOCAL/kafka/data"
    sed "s|@LOCAL@|$LOCAL|g" "$HERE/kafka/server.properties" >"$conf"
    local java=(java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true
        "-Dlog4j.configuration=file:$HERE/kafka/log4j.properties" "-Dkafka.logs.dir=$LOGS"
        -cp "$KAFKA_LIBS/*")
    if [[ ! -f "$LOCAL/kafka/data/meta.properties" ]]; then
        # Format once; the cluster id is kept so a re-format (after data loss) is recognisable.
        [[ -f "$LOCAL/kafka/cluster-id" ]] ||
            "${java[@]}" kafka.tools.StorageTool random-uuid >"$LOCAL/kafka/cluster-id"
        log "formatting Kafka storage"
        "${java[@]}" kafka.tools.StorageTool format --ignore-formatted \
            -t "$(cat "$LOCAL/kafka/cluster-id")" -c "$conf" >>"$LOGS/kafka.log" 2>&1
    fi
    spawn kafka "${java[@]}" kafka.Kafka "$conf"
}

start_ferretdb() {
    [[ -x "$FERRETDB_BIN" ]] || die "FerretDB not built: run '$0 install'"
    spawn ferretdb "$FERRETDB_BIN" -listen "$MONGO_ADDR" -data "$LOCAL/ferretdb"
}

start_prometheus() {
    [[ -x "$PROMETHEUS_BIN" ]] || die "prometheus not installed: run '$0 install'"
    spawn prometheus "$PROMETHEUS_BIN" --config.file="$HERE/prometheus/prometheus.yml" \
        --storage.tsdb.path="$LOCAL/prometheus" --storage.tsdb.retention.time=2d \
        --web.listen-address="$PROM_ADDR" --web.enable-lifecycle
}

# Reuse what runs (ours, still starting, or anyone's on the port); start it otherwise.
ensure() {
    local name="$1" pattern="$2" addr="$3"
    if [[ -n "$(running_pid "$name" "$pattern")" ]]; then
        log "$name: reusing ours (pid $(cat "$RUN/$name.pid"))"
    elif answers "$addr"; then
        log "$name: reusing the server already answering on $addr"
    else
        "start_$name"
    fi
}

watch_args() { # --watch NAME=PID for each process we started, so a crash fails fast
    local name pid
    for name in "$@"; do
        pid="$(running_pid "$name" .)"
        if [[ -n "$pid" ]]; then echo "--watch $name=$pid"; fi
    done
}

cmd_up() {
    mkdir -p "$LOGS" "$RUN"
    # Serialise concurrent `up`s (parallel test sessions) so a server is started only once.
    exec 9>"$RUN/infra.lock"
    flock 9
    local kafka="${KAFKA_BOOTSTRAP_SERVERS:-}" mongo="${MONGODB_URI:-}" prom=""
    if [[ -z "$kafka" ]]; then ensure kafka kafka.Kafka "$KAFKA_ADDR"; kafka="$KAFKA_ADDR"; fi
    if [[ -z "$mongo" ]]; then
        ensure ferretdb ferretdb "$MONGO_ADDR"
        mongo="mongodb://$MONGO_ADDR/"
    fi
    if [[ -x "$PROMETHEUS_BIN" ]] || answers "$PROM_ADDR"; then
        ensure prometheus prometheus "$PROM_ADDR"
        prom="http://$PROM_ADDR"
    else
        log "WARNING: prometheus not installed; skipping it"
    fi
    # shellcheck disable=SC2046  # word splitting of the --watch arguments is intended
    if ! "$PYTHON" "$HERE/wait_ready.py" --timeout "$READY_TIMEOUT" --kafka "$kafka" \
        --mongodb "$mongo" ${prom:+--prometheus "$prom"} $(watch_args kafka ferretdb prometheus); then
        for name in kafka ferretdb prometheus; do
            if [[ -f "$LOGS/$name.log" ]]; then log "--- tail of $LOGS/$name.log"; tail -n 20 "$LOGS/$name.log" >&2; fi
        done
        die "infrastructure not ready"
    fi
    "$PYTHON" "$HERE/create_topics.py" --bootstrap "$kafka" --file "$ROOT/deploy/kafka/topics.yaml"
    log "ready: KAFKA_BOOTSTRAP_SERVERS=$kafka MONGODB_URI=$mongo${prom:+ PROMETHEUS_URL=$prom}"
}

stop() {
    local name="$1" pattern="$2" pid
    pid="$(running_pid "$name" "$pattern")"
    if [[ -z "$pid" ]]; then rm -f "$RUN/$name.pid"; return; fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    # Kafka's controlled shutdown takes a few seconds; give up politely after 60 s.
    for _ in $(seq 600); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name did not stop in 60 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$name.pid"
}

cmd_down() {
    stop prometheus prometheus
    stop ferretdb ferretdb
    stop kafka kafka.Kafka
}

# The services of `make run` run under supervisord: deploy/local/stack.sh status shows them.
cmd_status() {
    local name pattern addr port pid spec
    for spec in kafka:kafka.Kafka:$KAFKA_ADDR ferretdb:ferretdb:$MONGO_ADDR prometheus:prometheus:$PROM_ADDR; do
        IFS=: read -r name pattern addr port <<<"$spec"
        addr="$addr:$port"
        pid="$(running_pid "$name" "$pattern")"
        printf '%-11s %-22s %s\n' "$name" "$addr" \
            "$(answers "$addr" && echo answers || echo 'not answering')${pid:+ (ours, pid $pid)}"
    done
}

case "${1:-}" in
    install) cmd_install ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) echo "usage: $0 install|up|down|status" >&2; exit 2 ;;
esac
