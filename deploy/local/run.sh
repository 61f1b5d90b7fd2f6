#!/usr/bin/env bash
# `make run`: infrastructure, the services and the stand-ins (under supervisord, which
# restarts whatever exits: deploy/local/stack.sh), a demo through all of them, then everything
# stays up until Ctrl-C (or `make down` from another terminal).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

echo "== infrastructure"
deploy/local/infra.sh up
echo "== services"
deploy/local/stack.sh up
echo "== demo"
.venv/bin/python -m deploy.local.demo || echo "(some demo complaints did not finish in time: see .local/logs/)"

cat <<'MSG'

The pipeline is running:
  intake     http://127.0.0.1:8001/docs   (POST /v1/channels/web/complaints)
  router     http://127.0.0.1:8002/metrics
  sla        http://127.0.0.1:8003/v1/cases/<tracking number>
  publisher  http://127.0.0.1:8004/metrics
  OPD gateway http://127.0.0.1:8005/docs   (the inbox of the OPDs on HTTP: 3578-pupr and 35-disdik;
             curl -H 'X-API-Key: pupr-inbox-key' http://127.0.0.1:8005/v1/inbox/deliveries)
  notify     http://127.0.0.1:8006/metrics   (e-mail sender: http://127.0.0.1:8007/metrics)
  mail       http://127.0.0.1:8083/messages  (local SMTP server on :8025: the reporters' e-mails)
  LAPOR!     http://127.0.0.1:8081/_contract/received   (local contract server)
  PPID/CKAN  http://127.0.0.1:8082/_contract/received   (local contract server: the redacted public records)
  Prometheus http://127.0.0.1:9090
supervisord restarts a service that exits. `make status` shows each one's state, uptime and
restarts; `deploy/local/stack.sh ctl restart sla` (or any supervisorctl command) controls them.
Logs in .local/logs/. Ctrl-C here, or `make down` elsewhere, stops the services.
MSG

trap 'echo; deploy/local/stack.sh down; exit 0' INT TERM
# Stay in the foreground while supervisord runs; `make down` stopping it ends this too.
PIDFILE=.local/run/supervisord.pid
while [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; do
  sleep 2 & wait $!
done
