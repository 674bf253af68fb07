#!/usr/bin/env bash
# `make stop`: ends what `make run` started (the operator, then the local cluster).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dev="${AKASH_OPERATOR_DEV_DIR:-${AKASH_OPERATOR_CACHE:-$HOME/.cache/akash-operator}/dev}"
pidfile="$dev/operator.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  pid="$(cat "$pidfile")"; kill "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  echo "operator stopped"
fi
rm -f "$pidfile"
"$here/bin/akash-operator" dev down
