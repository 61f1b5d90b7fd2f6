#!/usr/bin/env bash
# Start or stop the Aduan services and the local stand-ins for external systems as background
# processes (logs in .local/logs, pids in .local/run). Infrastructure is deploy/local/infra.sh's job.
#
#   deploy/local/stack.sh up      start what is not running yet, then wait until each is ready
#   deploy/local/stack.sh down    stop them (SIGTERM, so each flushes and commits)
#   deploy/local/stack.sh status
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
LOGS="$ROOT/.local/logs"
PIDS="$ROOT/.local/run"
mkdir -p "$LOGS" "$PIDS"

# Local-only credentials: the demo connector's API key and the LAPOR! contract server's token.
export INTAKE_API_KEYS=${INTAKE_API_KEYS:-'{"demo-web": "demo-key"}'}
export LAPOR_TOKEN=${LAPOR_TOKEN:-local-dev-token}
export PUBLISHER_LAPOR__TOKEN=${PUBLISHER_LAPOR__TOKEN:-$LAPOR_TOKEN}
export PUBLISHER_LAPOR__BASE_URL=${PUBLISHER_LAPOR__BASE_URL:-http://127.0.0.1:8081}

# name|command|readiness URL
PROCESSES=(
  "lapor|$PY -m deploy.local.lapor_server --port 8081|http://127.0.0.1:8081/healthz"
  "intake|$PY -m services.intake|http://127.0.0.1:8001/readyz"
  "router|$PY -m services.router|http://127.0.0.1:8002/readyz"
  "sla|$PY -m services.sla|http://127.0.0.1:8003/readyz"
  "publisher|$PY -m services.publisher|http://127.0.0.1:8004/readyz"
  "opd-simulator|$PY -m deploy.local.opd_simulator --port 8090|http://127.0.0.1:8090/readyz"
)

running() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

wait_ready() {  # name url: poll the readiness endpoint, which makes real calls to Kafka and Mongo
  local name=$1 url=$2 deadline=$((SECONDS + 120))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if ! running "$name"; then
      echo "$name exited; last log lines:" >&2; tail -n 20 "$LOGS/$name.log" >&2; return 1
    fi
    if [ $SECONDS -ge $deadline ]; then echo "$name not ready after 120 s ($url)" >&2; return 1; fi
    sleep 0.5
  done
  echo "  $name ready"
}

up() {
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name cmd _ <<<"$entry"
    if running "$name"; then echo "  $name already running"; continue; fi
    nohup $cmd >>"$LOGS/$name.log" 2>&1 &
    echo $! >"$PIDS/$name.pid"
  done
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name _ url <<<"$entry"
    wait_ready "$name" "$url"
  done
}

down() {
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name _ _ <<<"$entry"
    running "$name" && kill -TERM "$(cat "$PIDS/$name.pid")"
  done
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name _ _ <<<"$entry"
    for _ in $(seq 1 60); do running "$name" || break; sleep 0.5; done
    running "$name" && kill -KILL "$(cat "$PIDS/$name.pid")"
    rm -f "$PIDS/$name.pid"
  done
  echo "  services stopped"
}

status() {
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name _ url <<<"$entry"
    if running "$name"; then echo "  $name: running (pid $(cat "$PIDS/$name.pid")), $url"; else echo "  $name: stopped"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
