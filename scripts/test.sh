#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest (sets itself up first). Fails if no test ran.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
# As root, setup.sh installs what the real Secret Service tests need: there they must run, not skip.
if [ "$(id -u)" -eq 0 ]; then
  export PYAMPLIFY_REQUIRE_SECRET_SERVICE="${PYAMPLIFY_REQUIRE_SECRET_SERVICE:-1}"
fi
echo "== ruff" && .venv/bin/ruff check src tests benchmarks || exit 1
echo "== ruff format --check" && .venv/bin/ruff format --check src tests benchmarks || exit 1
echo "== mypy --strict" && .venv/bin/mypy || exit 1
echo "== pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit "$rc"
