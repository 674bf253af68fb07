#!/usr/bin/env bash
# Regenerates src/akash/testdata/go-{manifest,sdl}-vectors.json from the Akash Go code itself.
# See README.md. Needs Go (GOTOOLCHAIN=local is fine with Go >= 1.26) and Node 24.
#
# pkg.akt.dev/* is not served by every Go module proxy. With AKASH_CHAIN_SDK set to a checkout of
# github.com/akash-network/chain-sdk, the build uses its go/, go/sdl, specs/ and testdata/ modules
# through replace directives in a temporary copy of this module.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
testdata="$repo/src/akash/testdata"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
PATH="$("$repo/scripts/node.sh"):$PATH"

cp "$here/go.mod" "$here/main.go" "$work/"
[ -f "$here/go.sum" ] && cp "$here/go.sum" "$work/"
if [ -n "${AKASH_CHAIN_SDK:-}" ]; then
  (cd "$work" && go mod edit \
    -replace "pkg.akt.dev/go=$AKASH_CHAIN_SDK/go" \
    -replace "pkg.akt.dev/go/sdl=$AKASH_CHAIN_SDK/go/sdl" \
    -replace "pkg.akt.dev/specs=$AKASH_CHAIN_SDK/specs" \
    -replace "pkg.akt.dev/testdata=$AKASH_CHAIN_SDK/testdata")
fi
(cd "$work" && go build -o "$work/akash-vectors" .)

node "$here/manifest-inputs.ts" "$work/manifest-inputs.json"
"$work/akash-vectors" manifest "$work/manifest-inputs.json" > "$testdata/go-manifest-vectors.json"

list() { (cd "$testdata" && find "$@" -name '*.y*ml' | LC_ALL=C sort); }
mapfile -t full < <(list sdl-go-fixtures/input sdl-edge-cases)
mapfile -t real < <(list awesome-akash)
(cd "$testdata" && "$work/akash-vectors" sdl . "${full[@]}") > "$testdata/go-sdl-vectors.json"
(cd "$testdata" && "$work/akash-vectors" sdl -compact . "${real[@]}") > "$testdata/go-awesome-akash-vectors.json"
echo "wrote go-manifest-vectors.json, go-sdl-vectors.json and go-awesome-akash-vectors.json in $testdata"
