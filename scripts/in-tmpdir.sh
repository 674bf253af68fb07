#!/usr/bin/env bash
# Runs a command with TMPDIR set to a fresh directory and removes that directory afterwards, whatever
# the command's outcome (kept when E2E_KEEP is set, for diagnosis). Tests write kubeconfigs, logs,
# certificates and a whole akash node home (~60 MB) under os.tmpdir(); not every test removes what
# it wrote, and a killed run removes nothing. Without this, repeated runs filled /tmp by gigabytes.
# Usage: scripts/in-tmpdir.sh COMMAND [ARG...]
set -euo pipefail
dir="$(mktemp -d "${TMPDIR:-/tmp}/akash-operator-test.XXXXXX")"
cleanup() {
  if [ -n "${E2E_KEEP:-}" ]; then echo "in-tmpdir: kept $dir (E2E_KEEP)" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
# Not exec: the trap must run after the command ends. Signals reach the command through the
# process group, as they would without this wrapper.
TMPDIR="$dir" "$@"
