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

PY=.venv/bin/python
"$PY" -m flask --app app db upgrade
"$PY" -m flask --app app demo
exec "$PY" -m flask --app app serve "$@"
