#!/usr/bin/env bash
# The test half of `make test`: pytest, with `make deploy-check` running alongside it.
#
# deploy-check spends most of its minutes waiting on Terraform's provider against the moto server,
# so it runs in the background while pytest uses the cores; its log is printed when it ends, and the
# run fails if either fails. The last line printed is pytest's summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

if [ "${SKIP_DEPLOY_CHECK:-0}" != "1" ]; then
  echo "deploy-check: running in the background (log printed when pytest ends)"
  (bash infra/deploy_check.sh >"$logs/deploy-check.log" 2>&1; echo $? >"$logs/deploy-check.rc") &
  deploy_pid=$!
fi

"$PY" -m pytest -n 2 --dist loadgroup "$@" 2>&1 | tee "$logs/pytest.log"
pytest_rc=${PIPESTATUS[0]}

deploy_rc=0
if [ -n "${deploy_pid:-}" ]; then
  wait "$deploy_pid"
  deploy_rc="$(cat "$logs/deploy-check.rc" 2>/dev/null || echo 1)"
  echo
  echo "================================ deploy-check ================================"
  cat "$logs/deploy-check.log"
  [ "$deploy_rc" = 0 ] || echo "deploy-check FAILED (exit $deploy_rc)"
fi

# End on pytest's own summary line, as CI reads it.
grep -E '^=+ .*(passed|failed|error|no tests ran).* =+$' "$logs/pytest.log" | tail -n 1
if [ "$pytest_rc" != 0 ]; then exit "$pytest_rc"; fi
exit "$deploy_rc"
