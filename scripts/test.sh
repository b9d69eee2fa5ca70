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

# Placeholder: once the suite needs PostgreSQL and Redis, check they answer
# before starting pytest, e.g.
#   for hp in 127.0.0.1:5432 127.0.0.1:6379; do
#       (exec 3<>"/dev/tcp/${hp%:*}/${hp#*:}") 2>/dev/null \
#           || { echo "test: nothing listening on $hp" >&2; exit 1; }
#   done

exec .venv/bin/python -m pytest "$@"
