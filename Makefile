# azblobmin build and test entry points.
#
# Needs only Go and Node.js/npm: targets install what they use
# (`npm ci` for the pinned Azurite, `go mod download` for Go modules).
#
#   make test       unit + Azurite integration tests (installs Azurite first)
#   make test-fips  the same suite under GODEBUG=fips140=only
#   make demo       the end-to-end demo against a local Azurite
#   make bench      side-by-side benchmarks against the Azure SDK (BENCHMARKS.md)
#   make emulator   install the pinned Azurite into emulatortest/node_modules
#   make vet fmt fmt-check build build-fips cross fuzz-short

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

GO        ?= go
NPM       ?= npm
# -count=1: integration tests talk to a live emulator, never reuse cached results.
# The timeout is a hang guard for the whole suite, not a performance target.
TESTFLAGS ?= -count=1 -timeout 15m
FUZZTIME  ?= 50000x
BIN       ?= bin

EMULATOR_DIR  := emulatortest
AZURITE_BIN   := $(EMULATOR_DIR)/node_modules/.bin/azurite-blob
# npm writes this hidden lockfile on every install; it is our stamp: newer
# than package.json and package-lock.json means the pinned Azurite is in place.
AZURITE_STAMP := $(EMULATOR_DIR)/node_modules/.package-lock.json

CLI_PKG   := ./cmd/azblobmin
DEMO_PKG  := ./cmd/demo
# Non-empty once the package has Go files (both are written by later work).
HAVE_CLI  := $(if $(wildcard cmd/azblobmin/*.go),yes)
HAVE_DEMO := $(if $(wildcard cmd/demo/*.go),yes)
# The version the CLI reports: the nearest tag, or the commit, or dev.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
CLI_LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: all test test-fips emulator go-deps vet fmt fmt-check bench bench-unit bench-test demo build build-fips cross fuzz-short clean help FORCE

all: fmt-check vet test

help:
	@sed -n '1,12p' Makefile

## ---- emulator ------------------------------------------------------------

emulator: $(AZURITE_STAMP)

# Reinstall when the lockfile changed, or when the entry point is missing
# even though the stamp survived (a half-deleted node_modules).
$(AZURITE_STAMP): $(EMULATOR_DIR)/package.json $(EMULATOR_DIR)/package-lock.json $(if $(wildcard $(AZURITE_BIN)),,FORCE)
	@command -v node >/dev/null 2>&1 || { echo "make emulator: Node.js (node) is not on PATH; install Node.js 20 or newer and rerun" >&2; exit 1; }
	@command -v $(NPM) >/dev/null 2>&1 || { echo "make emulator: npm is not on PATH; it ships with Node.js" >&2; exit 1; }
	cd $(EMULATOR_DIR) && $(NPM) ci --no-audit --no-fund
	@test -e $(AZURITE_BIN) || { echo "make emulator: npm ci finished but $(AZURITE_BIN) is missing" >&2; exit 1; }
	@touch $@

FORCE:

## ---- tests ---------------------------------------------------------------

go-deps:
	$(GO) mod download

test: emulator go-deps
	$(GO) test $(TESTFLAGS) ./...

# The whole suite, Azurite included, with only FIPS 140-3 approved
# algorithms allowed: an MD5/SHA-1 on any path panics here.
test-fips: emulator go-deps
	GODEBUG=fips140=only $(GO) test $(TESTFLAGS) ./...

vet:
	$(GO) vet ./...
	cd bench && $(GO) vet ./...

# Go files we own: everything except installed npm packages and test data.
GOFILES_CMD := find . -name '*.go' -not -path '*/node_modules/*' -not -path './.git/*' -not -path '*/testdata/*'

fmt:
	@$(GOFILES_CMD) -print0 | xargs -0 -r gofmt -w

fmt-check:
	@out="$$($(GOFILES_CMD) -print0 | xargs -0 -r gofmt -l)"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; echo "run: make fmt"; exit 1; fi

# Each fuzz target for FUZZTIME; seed corpora run as part of `make test` too.
fuzz-short:
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz-short.sh

## ---- benchmarks ------------------------------------------------------------

# Side-by-side figures against the Azure SDK for Go (nested module bench/,
# the only place the SDK appears); writes BENCHMARKS.md. About 6 min on 2
# quiet cores; not part of CI. BENCHFLAGS='-quiet-load 1.5' waits for a quiet
# machine before the run and each round (how the committed report was made).
# The root module's own micro-benchmarks: make bench-unit.
BENCHFLAGS ?=
bench: emulator
	cd bench && $(GO) run ./cmd/benchreport -out ../BENCHMARKS.md $(BENCHFLAGS)

bench-unit: emulator go-deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The bench module's sanity tests: every job once, on tiny sizes.
bench-test: emulator
	cd bench && $(GO) test $(TESTFLAGS) ./...

## ---- demo and binaries -------------------------------------------------------

# TODO(demo): cmd/demo is built by the uploader work; until then this says so.
demo: emulator go-deps
	@if [ -n "$(HAVE_DEMO)" ]; then $(GO) run $(DEMO_PKG); else echo "demo: not yet built"; fi

build: go-deps
	@if [ -n "$(HAVE_CLI)" ]; then \
		echo "CGO_ENABLED=0 $(GO) build -trimpath -ldflags='$(CLI_LDFLAGS)' -o $(BIN)/azblobmin $(CLI_PKG)"; \
		CGO_ENABLED=0 $(GO) build -trimpath -ldflags='$(CLI_LDFLAGS)' -o $(BIN)/azblobmin $(CLI_PKG); \
	else echo "build: $(CLI_PKG) not yet written"; fi

# The CLI against the Go Cryptographic Module v1.0.0 snapshot.
build-fips: go-deps
	@if [ -n "$(HAVE_CLI)" ]; then \
		echo "GOFIPS140=v1.0.0 CGO_ENABLED=0 $(GO) build -trimpath -ldflags='$(CLI_LDFLAGS)' -o $(BIN)/azblobmin-fips $(CLI_PKG)"; \
		GOFIPS140=v1.0.0 CGO_ENABLED=0 $(GO) build -trimpath -ldflags='$(CLI_LDFLAGS)' -o $(BIN)/azblobmin-fips $(CLI_PKG); \
	else echo "build-fips: $(CLI_PKG) not yet written"; fi

CROSS_TARGETS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

cross: go-deps
	@if [ -n "$(HAVE_CLI)" ]; then \
		for t in $(CROSS_TARGETS); do \
			os=$${t%/*}; arch=$${t#*/}; ext=; [ $$os = windows ] && ext=.exe; \
			echo "cross: $$os/$$arch"; \
			CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags='$(CLI_LDFLAGS)' \
				-o $(BIN)/azblobmin-$$os-$$arch$$ext $(CLI_PKG); \
		done; \
	else echo "cross: $(CLI_PKG) not yet written"; fi

clean:
	rm -rf $(BIN)
