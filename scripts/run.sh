#!/usr/bin/env bash
# `make run`: the local cluster (reused when up), the CRDs, the operator as a background process,
# and the samples; then prints what the operator made and how to look at it. `make stop` ends it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$here/bin/akash-operator"
bins="$("$here/scripts/test-bins.sh" dir)"
kubectl="$bins/kubectl"
dev="${AKASH_OPERATOR_DEV_DIR:-${AKASH_OPERATOR_CACHE:-$HOME/.cache/akash-operator}/dev}"

"$cli" dev up
eval "$("$cli" dev env)"
export KUBECONFIG

"$kubectl" apply --server-side -f "$here/crds" >/dev/null
"$kubectl" wait --for=condition=Established --timeout=60s -f "$here/crds" >/dev/null
"$kubectl" create namespace akash-operator --dry-run=client -o yaml | "$kubectl" apply -f - >/dev/null

pidfile="$dev/operator.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "operator already running (pid $(cat "$pidfile"))"
else
  nohup "$cli" run --kubeconfig "$KUBECONFIG" --namespace akash-operator --metrics-addr 127.0.0.1:8085 >"$dev/operator.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    curl -sf http://127.0.0.1:8085/readyz >/dev/null 2>&1 && break
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "the operator exited while starting; see $dev/operator.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "operator running (pid $(cat "$pidfile")), log $dev/operator.log, metrics http://127.0.0.1:8085/metrics"
fi

"$kubectl" apply --server-side --field-manager=make-run -f "$here/config/samples" >/dev/null
lease="$(sed -n 's/^  name: //p' "$here/config/samples/lease.yaml" | head -1)"
"$kubectl" wait --for=jsonpath='{.status.phase}'=Ready "alease/$lease" --timeout=120s >/dev/null
echo
"$kubectl" get akash -A
echo
"$kubectl" get deployments,services,ingresses,networkpolicies,resourcequotas,pods -n "$lease"
cat <<MSG

The sample lease is Ready in namespace $lease.
  export KUBECONFIG=$KUBECONFIG
  kubectl describe alease $lease
The Ingress routes web.example.com to the web service. The dev cluster has no ingress controller and
its pods are simulated by kwok, so there is nothing to curl here; on a real cluster:
  curl -H 'Host: web.example.com' http://<ingress-controller-address>/
'make stop' stops the operator and the cluster.
MSG
