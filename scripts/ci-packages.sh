#!/usr/bin/env bash
# Debian packages the e2e suite runs as real peers, installed only when missing (idempotent, so a
# warm CI machine spends nothing here). The tests start their own processes on 127.0.0.1; the
# packages' system services must not run, so a policy-rc.d refuses every service start while apt
# runs (Debian's documented switch, see /usr/share/doc/init-system-helpers/README.policy-rc.d).
set -euo pipefail

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
# A private image registry for e2e/registry (Distribution 2.8, /usr/bin/docker-registry) and
# htpasswd from apache2-utils: the registry's htpasswd auth accepts bcrypt entries only (-B).
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
[ ${#need[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ci-packages: ${need[*]} missing and not root (no sudo): install them with apt-get" >&2; exit 1; }
  sudo=(sudo)
fi

policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# written by akash-operator scripts/ci-packages.sh while apt runs\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

echo "ci-packages: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine; refresh once and retry.
"${sudo[@]}" apt-get install -y --no-install-recommends "${need[@]}" ||
  { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends "${need[@]}"; }
