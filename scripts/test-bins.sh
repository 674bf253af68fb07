#!/usr/bin/env bash
# Builds the Go test binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl,
# kwok, helm) from the wrapper modules in tools/, and spiffe-check (our own Go program in
# tools/spiffe-check, on go-spiffe), into a cache outside the repository.
#
#   scripts/test-bins.sh build   build what is missing or stale (idempotent; seconds when warm)
#   scripts/test-bins.sh sync    rewrite tools/*/go.mod and go.sum from tools/versions.env
#   scripts/test-bins.sh dir     print the directory holding the binaries
#
# Versions live in tools/versions.env only. Cache: $AKASH_OPERATOR_CACHE (default
# ~/.cache/akash-operator); binaries in $AKASH_OPERATOR_CACHE/bin/<component>-<version>/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$here/tools"
# shellcheck source=../tools/versions.env
. "$tools/versions.env"
cache="${AKASH_OPERATOR_CACHE:-$HOME/.cache/akash-operator}"
bindir="$cache/bin"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

die() { echo "test-bins: $*" >&2; exit 1; }

need_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed; install Go 1.26 or newer (https://go.dev/dl) and run this again."
  local v; v="$(go env GOVERSION)"; v="${v#go}"
  local major="${v%%.*}" rest="${v#*.}"; local minor="${rest%%.*}"
  if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 26 ]; }; then
    die "Go $v is too old; the test binaries need Go 1.26 or newer (kwok $KWOK_VERSION and helm $HELM_VERSION require it)."
  fi
}

k8s_minor() { local m="${K8S_VERSION#v1.}"; echo "${m%%.*}"; }

# ---------- sync: regenerate the wrapper modules from versions.env ----------
sync_k8s() {
  local d="$tools/k8s" up staging
  staging="v0.${K8S_VERSION#v1.}"
  (cd "$d" && rm -f go.mod go.sum && go mod init akash-operator.local/tools/k8s >/dev/null 2>&1 && go mod edit -go=1.26.0)
  up="$(cd "$d" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
  [ -f "$up" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy."
  local gd; gd="$(sed -n 's/^godebug default=\(go[0-9.]*\)$/\1/p' "$up")"
  # The staging modules are replaced by ./staging paths upstream; point each at its published version.
  (cd "$d"
   [ -n "$gd" ] && go mod edit -godebug="default=$gd"
   for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$up"); do
     go mod edit -replace="$m=$m@$staging"
   done
   go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" \
     "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION"
   go mod tidy)
}

sync_simple() { # dir module tool-packages...
  local d="$tools/$1" mod="$2"; shift 2
  (cd "$d" && rm -f go.mod go.sum && go mod init "akash-operator.local/tools/$(basename "$d")" >/dev/null 2>&1 &&
   go mod edit -go=1.26.0 &&
   go get -tool "$@" && go mod tidy)
}

sync_all() {
  need_go
  sync_k8s
  sync_simple etcd go.etcd.io/etcd/server/v3 "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  sync_simple kwok sigs.k8s.io/kwok "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  sync_simple helm helm.sh/helm/v3 "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  sync_own spiffe-check "github.com/spiffe/go-spiffe/v2@$SPIFFE_GO_VERSION"
}

sync_own() { # dir module@version...: a module with our own source, depending on (not wrapping) them
  local d="$tools/$1"; shift
  (cd "$d" && rm -f go.mod go.sum && go mod init "akash-operator.local/tools/$(basename "$d")" >/dev/null 2>&1 &&
   go mod edit -go=1.26.0 && go get "$@" && go mod tidy)
}

# ---------- build ----------
# A component is up to date when its stamp (version + hash of its go.sum) matches. A module with
# Go source of its own (tools/spiffe-check) also hashes that source, so an edit rebuilds it; the
# wrapper modules have none, so their stamps are unchanged.
stamp_of() {
  local s; s="$2 $(sha256sum "$tools/$1/go.sum" | cut -c1-16)"
  if compgen -G "$tools/$1/*.go" >/dev/null; then s="$s $(cat "$tools/$1"/*.go | sha256sum | cut -c1-16)"; fi
  echo "$s"
}

check_pin() { # dir module version
  local have; have="$(sed -n "s#^[[:space:]]*\(require \)\{0,1\}$2 \(v[^ ]*\).*#\2#p" "$tools/$1/go.mod" | head -1)"
  [ "$have" = "$3" ] || die "tools/$1/go.mod pins $2 ${have:-nothing}, tools/versions.env says $3; run 'make tools-sync'."
}

build_one() { # name dir version out-subdir -- go build args...
  local name="$1" dir="$2" version="$3"; shift 3
  local out="$bindir/$name-$version" want; want="$(stamp_of "$dir" "$version")"
  if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$want" ]; then return 0; fi
  echo "test-bins: building $name $version into $out (cold builds take minutes)" >&2
  mkdir -p "$out"; rm -f "$out/.stamp"
  local log="$cache/logs/$name-$version.log"; mkdir -p "$cache/logs"
  if ! (cd "$tools/$dir" && go build -trimpath -o "$out/" "$@") >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "building $name $version failed; the full log is $log (check the Go module proxy is reachable and there is free disk)."
  fi
  echo "$want" > "$out/.stamp"
}

build_all() {
  need_go
  check_pin k8s k8s.io/kubernetes "$K8S_VERSION"
  check_pin etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  check_pin kwok sigs.k8s.io/kwok "$KWOK_VERSION"
  check_pin helm helm.sh/helm/v3 "$HELM_VERSION"
  check_pin spiffe-check github.com/spiffe/go-spiffe/v2 "$SPIFFE_GO_VERSION"
  local minor date ld p; minor="$(k8s_minor)"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  ld="-s -w"
  # Without these the binaries report v0.0.0-master: kubectl version, helm kubeVersion checks break.
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  build_one etcd etcd "$ETCD_VERSION" -ldflags="-s -w" go.etcd.io/etcd/server/v3
  # go build names the binary after the module path without its major-version suffix: "server".
  if [ -x "$bindir/etcd-$ETCD_VERSION/server" ]; then mv "$bindir/etcd-$ETCD_VERSION/server" "$bindir/etcd-$ETCD_VERSION/etcd"; fi
  build_one kwok kwok "$KWOK_VERSION" -ldflags="-s -w" sigs.k8s.io/kwok/cmd/kwok
  kwok_stages
  build_one helm helm "$HELM_VERSION" -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor" helm.sh/helm/v3/cmd/helm
  build_one kubernetes k8s "$K8S_VERSION" -tags=selinux,notest,grpcnotrace -ldflags="$ld" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  build_one spiffe-check spiffe-check "$SPIFFE_GO_VERSION" -ldflags="-s -w" .
  link_bins
}

# kwok v0.8 has no built-in stages: without these, nodes never turn Ready and pods never Running.
# They ship in the kwok module (the same YAML kwokctl embeds); assemble them next to the binary.
kwok_stages() {
  local out="$bindir/kwok-$KWOK_VERSION/stages.yaml" dir f
  [ -s "$out" ] && return 0
  dir="$(cd "$tools/kwok" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  [ -d "$dir/kustomize/stage" ] || die "the kwok module $KWOK_VERSION has no kustomize/stage folder; pin a kwok release that ships its stages."
  : > "$out.part"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [ -f "$dir/kustomize/stage/$f" ] || die "the kwok module $KWOK_VERSION lacks kustomize/stage/$f."
    { echo '---'; cat "$dir/kustomize/stage/$f"; } >> "$out.part"
  done
  mv "$out.part" "$out"
}

# One flat directory with stable names, so the harness needs a single path.
link_bins() {
  local flat="$bindir/current"; mkdir -p "$flat"
  ln -sfn "$bindir/etcd-$ETCD_VERSION/etcd" "$flat/etcd"
  ln -sfn "$bindir/kwok-$KWOK_VERSION/kwok" "$flat/kwok"
  ln -sfn "$bindir/helm-$HELM_VERSION/helm" "$flat/helm"
  ln -sfn "$bindir/spiffe-check-$SPIFFE_GO_VERSION/spiffe-check" "$flat/spiffe-check"
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    ln -sfn "$bindir/kubernetes-$K8S_VERSION/$b" "$flat/$b"
  done
}

case "${1:-build}" in
  build) build_all ;;
  sync) sync_all ;;
  dir) echo "$bindir/current" ;;
  *) die "unknown command '$1' (build, sync or dir)" ;;
esac
