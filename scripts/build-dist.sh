#!/usr/bin/env bash
# Builds what the image runs into dist/ (or OUT_DIR): the CLI and its dependencies bundled into a
# few ES modules (scripts/bundle.ts; why: docs/adr/0007), plus the files the code reads beside
# itself at run time. Self-contained: it needs Node, not node_modules. Idempotent: OUT_DIR is
# rebuilt from scratch. Usage: scripts/build-dist.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$here/dist}"
cd "$here"
# The bundle script is TypeScript: it needs Node >= 24 (type stripping). In a checkout that is the
# project's Node (scripts/node.sh); the image's build stage has only its own node:24.
if [ -x scripts/node.sh ]; then node="$(scripts/node.sh)/node"; else node=node; fi
rm -rf "$out"
"$node" scripts/bundle.ts "$out"
cp package.json "$out/package.json"
cp src/identity/agent/workload.proto "$out/workload.proto"
echo "$out"
