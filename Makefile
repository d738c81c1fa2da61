# Plein — make help lists the targets.
SHELL := /bin/bash
GO    ?= go

# Pinned tool versions: the module proxy sometimes fails on @latest.
GOLANGCI_LINT_VERSION := v2.15.0
HELM_VERSION          := v3.22.0
HELM                  := $(GO) run helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
TOOLS_BIN := $(shell $(GO) env GOPATH)/bin

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: run
run: ## Start the whole platform on a private PostgreSQL under ./.plein (Ctrl-C stops it)
	$(GO) run ./services/plein dev

.PHONY: build
build: ## Build bin/plein
	$(GO) build -o bin/plein ./services/plein

# GORACE=atexit_sleep_ms=0: a -race binary otherwise sleeps 1 s at exit (for races of
# goroutines still running then): 1 s of each of the ~50 test packages, and of nothing
# the tests check, since every race in a test is reported while it runs.
# -ldflags=-w: the test binaries are linked without DWARF (nobody runs a debugger on them;
# stack traces and race reports come from the symbol table, which stays).
# The test packages that take longest, named first so that go test builds and starts
# them first while the others fill the second core, instead of running them last, alone.
SLOW_FIRST := ./services/plein ./services/portal

.PHONY: test
test: axe ## Run every test against a real PostgreSQL (one shared cluster, tools/testpg) and a real kube-apiserver the tests start (what CI runs)
	$(GO) vet ./...
	KUBEBUILDER_ASSETS="$$(bash tools/kubebin/build.sh)" GORACE=atexit_sleep_ms=0 $(GO) run ./tools/testpg $(GO) test -race -count=1 -timeout 15m -ldflags=-w $(SLOW_FIRST) ./...

# FUZZTIME is how long make fuzz runs each fuzz target; make test runs only their seeds.
FUZZTIME ?= 30s

.PHONY: fuzz
fuzz: ## Run every fuzz target of the module for FUZZTIME each (default 30s; make fuzz FUZZTIME=10s) and print each one's executions
	GO="$(GO)" FUZZTIME="$(FUZZTIME)" bash tools/fuzz/fuzz.sh

.PHONY: kubebin
kubebin: ## Build kube-apiserver and etcd for the control plane tests into ~/.cache/plein/kubebin (about 6 minutes the first time)
	@bash tools/kubebin/build.sh

.PHONY: axe
axe: tools/axe/node_modules/axe-core/axe.min.js ## Install axe-core (pinned, npm ci) for the browser tests

tools/axe/node_modules/axe-core/axe.min.js: tools/axe/package.json tools/axe/package-lock.json
	cd tools/axe && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: lint
lint: ## go vet and golangci-lint (staticcheck, depguard: platform/ never imports services/)
	$(GO) vet ./...
	@test -x $(TOOLS_BIN)/golangci-lint && $(TOOLS_BIN)/golangci-lint version | grep -q $(GOLANGCI_LINT_VERSION:v%=%) || \
		$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	$(TOOLS_BIN)/golangci-lint run ./...

.PHONY: helm-lint
helm-lint: ## Lint charts/plein (strict) and render it, with defaults and with ServiceMonitor + existingSecret (pinned Helm)
	$(HELM) lint --strict charts/plein
	$(HELM) lint --strict charts/plein --set serviceMonitor.enabled=true --set existingSecret=plein-env
	$(HELM) template plein charts/plein --namespace plein-system --kube-version 1.31.0 >/dev/null
	$(HELM) template plein charts/plein --namespace plein-system --kube-version 1.31.0 --set serviceMonitor.enabled=true --set existingSecret=plein-env >/dev/null

.PHONY: bench
bench: ## Run the benchmarks, the dev start-up and the settlement of 100,000 residents; prints the figures
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./tools/devstart
	$(GO) run ./tools/onboard
	$(GO) build -o bin/plein ./services/plein
	$(GO) run ./tools/settlebench -plein bin/plein -residents 100000

.PHONY: bench-settle-500k
bench-settle-500k: ## Settle 500,000 residents (all bijstand households of the Netherlands); about 3 minutes with the load
	$(GO) build -o bin/plein ./services/plein
	$(GO) run ./tools/settlebench -plein bin/plein -residents 500000

.PHONY: load
load: ## Load all gemeenten at once with PostgreSQL restarted mid-run (RESTART=fast|immediate|none, DURATION=75s); fails on a lost write or a cross-gemeente answer
	$(GO) run ./tools/coopload -duration $(or $(DURATION),75s) -restart $(or $(RESTART),fast)

.PHONY: clean
clean: ## Remove build output and the local data directory (.plein)
	rm -rf bin .plein
