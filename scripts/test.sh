#!/usr/bin/env bash
# Set up with test extras (and chromium), then run pytest.
#
#   scripts/test.sh                     the whole suite
#   scripts/test.sh -m 'not browser' -x tests/test_foo.py   (args go to pytest)
#
# pytest's exit status is ours; "no tests collected" is status 5, which is a
# failure like any other non-zero status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --test

# The scale-out tests (tests/test_scaleout_live.py) need PostgreSQL and Redis:
# check both answer before pytest, so a stopped service is named, not a test.
PY=.venv/bin/python
"$PY" - <<'PYTHON' || exit 1
import os, sys
import psycopg, redis
pg = os.environ.get("SCALEOUT_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
rd = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/0")
try:
    psycopg.connect(pg.replace("+psycopg", ""), connect_timeout=5).close()
except Exception as error:
    sys.exit(f"test: PostgreSQL does not answer at {pg}: {error}")
try:
    redis.Redis.from_url(rd, socket_connect_timeout=5).ping()
except Exception as error:
    sys.exit(f"test: Redis does not answer at {rd}: {error}")
PYTHON

exec "$PY" -m pytest "$@"
