#!/usr/bin/env bash
# The Aduan services and the local stand-ins for external systems, run under supervisord
# (`supervisor` from PyPI, in the dev extra): every program is restarted when it exits, with
# backoff, and its state, uptime and restarts are visible. Infrastructure is infra.sh's job.
#
#   deploy/local/stack.sh up      write the config, start supervisord (or apply the config to
#                                 the one running), then wait until each program is ready
#   deploy/local/stack.sh down    stop the programs (SIGTERM, so each flushes and commits) and
#                                 supervisord
#   deploy/local/stack.sh status  each program's state, pid, uptime and restarts
#   deploy/local/stack.sh ctl ARGS...   any supervisorctl command (tail -f intake, restart sla, …)
#
# Generated config: .local/supervisor/supervisord.conf; logs: .local/logs/<program>.log and
# .local/logs/supervisord.log; socket and pid file in .local/run/.
#
# For tests of this script: ADUAN_STACK_DIR replaces .local/ (a separate supervisord), and
# ADUAN_STACK_PROGRAMS names a file of `name|command|readiness URL` lines to run instead.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
VENV="$ROOT/.venv/bin"
PY="$VENV/python"
STATE="${ADUAN_STACK_DIR:-$ROOT/.local}"
LOGS="$STATE/logs"
RUN="$STATE/run"
CONF_DIR="$STATE/supervisor"
CONF="$CONF_DIR/supervisord.conf"
SOCK="$RUN/supervisor.sock"
PIDFILE="$RUN/supervisord.pid"  # written by supervisord
# A program that exits within START_SECS of its start counts as a failed start; supervisord
# retries it START_RETRIES times, waiting 1 s, 2 s, 3 s, … longer each time, then gives up
# (state FATAL). One that ran longer is restarted at once, however often it exits.
START_SECS=${ADUAN_START_SECS:-10}
START_RETRIES=${ADUAN_START_RETRIES:-30}
STOP_WAIT_SECS=${ADUAN_STOP_WAIT_SECS:-30}
mkdir -p "$LOGS" "$RUN" "$CONF_DIR"

# Local-only credentials: the demo connector's API key and the LAPOR! contract server's token.
export INTAKE_API_KEYS=${INTAKE_API_KEYS:-'{"demo-web": "demo-key"}'}
export LAPOR_TOKEN=${LAPOR_TOKEN:-local-dev-token}
export PUBLISHER_LAPOR__TOKEN=${PUBLISHER_LAPOR__TOKEN:-$LAPOR_TOKEN}
export PUBLISHER_LAPOR__BASE_URL=${PUBLISHER_LAPOR__BASE_URL:-http://127.0.0.1:8081}
# Every OPD of the shipped directory reaches the contract server under one institution id;
# a real deployment maps each OPD (PUBLISHER_LAPOR__MAPPING__DISPOSITION_IDS).
export PUBLISHER_LAPOR__MAPPING__DEFAULT_DISPOSITION_ID=${PUBLISHER_LAPOR__MAPPING__DEFAULT_DISPOSITION_ID:-100}
export CKAN_TOKEN=${CKAN_TOKEN:-local-ckan-token}
export PUBLISHER_CKAN__TOKEN=${PUBLISHER_CKAN__TOKEN:-$CKAN_TOKEN}
export PUBLISHER_CKAN__BASE_URL=${PUBLISHER_CKAN__BASE_URL:-http://127.0.0.1:8082}
# The OPDs on HTTP (deploy/config/opd_gateway.yaml): webhook signing secrets (3578-pupr is
# mid-rotation: new secret first, old one after) and inbox API keys, shared by the OPD gateway
# and the simulator that plays those OPDs.
export OPD_GATEWAY_WEBHOOK_SECRETS=${OPD_GATEWAY_WEBHOOK_SECRETS:-'{"3578-pupr": ["pupr-local-new", "pupr-local-old"], "35-disdik": ["disdik-local"]}'}
export OPD_GATEWAY_INBOX_KEYS=${OPD_GATEWAY_INBOX_KEYS:-'{"3578-pupr": "pupr-inbox-key", "35-disdik": "disdik-inbox-key"}'}
export OPD_SIMULATOR_WEBHOOK_SECRETS=${OPD_SIMULATOR_WEBHOOK_SECRETS:-$OPD_GATEWAY_WEBHOOK_SECRETS}
export OPD_SIMULATOR_INBOX_KEYS=${OPD_SIMULATOR_INBOX_KEYS:-$OPD_GATEWAY_INBOX_KEYS}
export OPD_SIMULATOR_HTTP_OPDS_FILE=${OPD_SIMULATOR_HTTP_OPDS_FILE:-$ROOT/deploy/config/opd_gateway.yaml}

# name|command|readiness URL (in start order)
PROCESSES=(
  "lapor|$PY -m deploy.local.lapor_server --port 8081|http://127.0.0.1:8081/healthz"
  "ckan|$PY -m deploy.local.ckan_server --port 8082|http://127.0.0.1:8082/healthz"
  "smtp|$PY -m deploy.local.smtp_server --smtp-port 8025 --port 8083|http://127.0.0.1:8083/healthz"
  "intake|$PY -m services.intake|http://127.0.0.1:8001/readyz"
  "router|$PY -m services.router|http://127.0.0.1:8002/readyz"
  "sla|$PY -m services.sla|http://127.0.0.1:8003/readyz"
  "publisher|$PY -m services.publisher|http://127.0.0.1:8004/readyz"
  "opd-gateway|$PY -m services.opd_gateway|http://127.0.0.1:8005/readyz"
  "notify|$PY -m services.notify|http://127.0.0.1:8006/readyz"
  "notify-email|$PY -m services.notify email|http://127.0.0.1:8007/readyz"
  "opd-simulator|$PY -m deploy.local.opd_simulator --port 8090|http://127.0.0.1:8090/readyz"
)
if [ -n "${ADUAN_STACK_PROGRAMS:-}" ]; then
  mapfile -t PROCESSES < <(grep -v -e '^#' -e '^$' "$ADUAN_STACK_PROGRAMS")
fi

ctl() { "$VENV/supervisorctl" -c "$CONF" "$@"; }

# supervisord of this checkout answers on its socket
supervisord_up() { [ -S "$SOCK" ] && ctl pid >/dev/null 2>&1; }

write_config() {
  # The programs inherit supervisord's environment: the exports above, and whatever
  # KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI, … the caller set when supervisord started.
  local tmp="$CONF.tmp" priority=100 entry name cmd
  cat >"$tmp" <<EOF
; Generated by deploy/local/stack.sh; edits are overwritten by the next \`up\`.
[unix_http_server]
file=$SOCK
chmod=0700

[supervisord]
logfile=$LOGS/supervisord.log
logfile_maxbytes=10MB
logfile_backups=2
loglevel=info
pidfile=$PIDFILE
childlogdir=$LOGS
directory=$ROOT
identifier=aduan-$ROOT

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SOCK
EOF
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name cmd _ <<<"$entry"
    cat >>"$tmp" <<EOF

[program:$name]
command=$cmd
directory=$ROOT
priority=$priority
autostart=true
autorestart=true
startsecs=$START_SECS
startretries=$START_RETRIES
stopsignal=TERM
stopwaitsecs=$STOP_WAIT_SECS
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=$LOGS/$name.log
stdout_logfile_maxbytes=50MB
stdout_logfile_backups=3
EOF
    priority=$((priority + 10))
  done
  mv "$tmp" "$CONF"
}

state_of() { ctl status "$1" 2>/dev/null | awk '{print $2}'; }

wait_ready() {  # name url: poll the readiness endpoint, which makes real calls to Kafka and Mongo
  local name=$1 url=$2 deadline=$((SECONDS + 120)) state=
  # Without a URL, ready means RUNNING: up for startsecs.
  until if [ -n "$url" ]; then curl -fsS -o /dev/null "$url" 2>/dev/null; else [ "$state" = RUNNING ]; fi; do
    state=$(state_of "$name")
    if [ "$state" = FATAL ]; then
      echo "$name could not start (supervisor gave up); last log lines:" >&2
      tail -n 20 "$LOGS/$name.log" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "$name not ready after 120 s ($url, state $state); last log lines:" >&2
      tail -n 20 "$LOGS/$name.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "  $name ready"
}

up() {
  write_config
  if supervisord_up; then
    echo "  supervisord already running (pid $(ctl pid)): applying the config"
    ctl update >/dev/null  # adds, changes or removes programs whose config changed
    ctl start all >/dev/null || true  # starts stopped ones; running ones are left alone
  else
    rm -f "$SOCK"
    "$VENV/supervisord" -c "$CONF"  # daemonizes
    for _ in $(seq 1 100); do supervisord_up && break; sleep 0.1; done
    supervisord_up || { tail -n 20 "$LOGS/supervisord.log" >&2; echo "supervisord did not start" >&2; return 1; }
    echo "  supervisord started (pid $(ctl pid)), config $CONF"
  fi
  local entry name url
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name _ url <<<"$entry"
    wait_ready "$name" "$url"
  done
}

down() {
  if ! supervisord_up; then echo "  services not running"; return 0; fi
  local pid
  pid=$(ctl pid)
  ctl stop all  # SIGTERM each, SIGKILL after stopwaitsecs
  ctl shutdown >/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  echo "  services stopped"
}

# `supervisorctl status` (state, pid, uptime) plus the number of restarts of each program
# since supervisord started, counted from supervisord's log ("spawned: 'name'" lines).
status() {
  if ! supervisord_up; then echo "  services not running (no supervisord)"; return 3; fi
  local rc=0 line name
  ctl status >"$RUN/status.txt" || rc=$?  # exit code 3 when a program is not RUNNING
  while IFS= read -r line; do
    name=${line%% *}
    printf '  %s   restarts: %s\n' "$line" "$(restarts "$name")"
  done <"$RUN/status.txt"
  return "$rc"
}

restarts() {
  awk -v name="$1" '
    /supervisord started with pid/ { n = 0 }
    index($0, "spawned: '\''" name "'\''") { n++ }
    END { print (n > 0 ? n - 1 : 0) }' "$LOGS/supervisord.log" 2>/dev/null || echo "?"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  ctl) shift; ctl "$@" ;;
  *) echo "usage: $0 up|down|status|ctl ARGS..." >&2; exit 2 ;;
esac
