#!/usr/bin/env bash
# Set up (if needed), migrate the database, seed the demo meeting and serve.
#
#   scripts/run.sh                      serve on 127.0.0.1:5000
#   scripts/run.sh --host 0.0.0.0 --port 8000
#
# Arguments are passed to `flask serve`. Environment variables (DATABASE_URL,
# SECRET_KEY, ...) are passed through unchanged; without DATABASE_URL the app
# uses SQLite in instance/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

# The demo serves plain HTTP on this machine (or the room's network), so its cookies cannot be
# HTTPS-only; a real deployment leaves this unset (see README "Configuration").
export FACILITATOR_ENV="${FACILITATOR_ENV:-development}"

# The demo's URLs name the host and port the server will listen on.
HOST=127.0.0.1 PORT=5000 args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --host) HOST="${args[i+1]:-$HOST}" ;;
        --host=*) HOST="${args[i]#--host=}" ;;
        --port) PORT="${args[i+1]:-$PORT}" ;;
        --port=*) PORT="${args[i]#--port=}" ;;
    esac
done
[[ "$HOST" == 0.0.0.0 ]] && HOST="$(hostname -I 2>/dev/null | awk '{print $1}')" && HOST="${HOST:-127.0.0.1}"

PY=.venv/bin/python
"$PY" -m flask --app app db upgrade
"$PY" -m flask --app app demo --base-url "http://$HOST:$PORT"
exec "$PY" -m flask --app app serve "$@"
