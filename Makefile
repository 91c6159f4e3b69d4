# kubectl-egress: `make demo` runs the tool on the bundled scenarios, `make test` runs every test.
GO       ?= go
BIN      := bin/kubectl-egress
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG      := github.com/kubectl-egress/kubectl-egress/plugin
LDFLAGS  := -s -w -X $(PKG).version=$(VERSION) -X $(PKG).commit=$(COMMIT) -X $(PKG).date=$(DATE)
GOFLAGS_BUILD := -trimpath -ldflags "$(LDFLAGS)"

.PHONY: all build tools test test-short lint vet fmt-check tidy-check bench demo fixtures clean

all: build

build:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) ./cmd/kubectl-egress

# etcd, kube-apiserver and kubectl for the real-cluster tests, cached in .cache/bin.
tools:
	bash hack/tools/build.sh

# Everything: lint, unit tests, and the tests against a real kube-apiserver + etcd.
test: lint tools
	bash hack/test.sh

# Unit tests only: the real-apiserver tests skip (loudly) under -short.
test-short:
	$(GO) test -short ./...

# Fuzz each target for FUZZTIME (go test -fuzz takes one target at a time). Crashers land in
# <package>/testdata/fuzz/<FuzzName>/ and then run as regression cases in every `go test`.
FUZZTIME ?= 30s
FUZZ_TARGETS := envoy:FuzzParse envoy:FuzzParseClusterName envoy:FuzzParseConfigRef envoy:FuzzParseNodeID envoy:FuzzValidJSON mesh:FuzzLoadFiles mesh:FuzzLoadStdin mesh:FuzzDocReader plugin:FuzzReadBundle

.PHONY: fuzz
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) ./$${t%%:*}; \
	done

lint: fmt-check vet tidy-check

fmt-check:
	@out=$$(find . -name '*.go' -not -path './.cache/*' -print0 | xargs -0 gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

tidy-check:
	$(GO) mod tidy -diff

bench:
	bash hack/bench.sh

demo: build
	@bash hack/demo.sh $(BIN)

# Regenerate testdata/scenarios/*/dumps with istiod's own code (hack/dumpgen), then the
# edited gateway fixture derived from one of them (hack/editdump).
fixtures:
	bash hack/dumpgen/run.sh
	$(GO) run ./hack/editdump \
		-in testdata/scenarios/gateway-mtls-origination/dumps/istio-system/istio-egressgateway-6d8c4b7f9-xk2lp.json \
		-out testdata/envoy/egress-gateway-edited.json
	REALENVOY_UPDATE=1 $(GO) test -count=1 -run TestRemovalRecords ./internal/realenvoy

clean:
	rm -rf bin dist
	$(GO) clean -testcache

# Release: archives for krew (hack/dist.sh), the krew manifest rendered from .krew.yaml, and
# krew's own checks of both (hack/krew-manifest.sh). Offline; krew comes from `make tools`.
.PHONY: dist krew-manifest validate-krew-manifest krew-install-test

dist:
	VERSION=$(VERSION) COMMIT=$(COMMIT) DATE=$(DATE) PKG=$(PKG) bash hack/dist.sh

krew-manifest: dist
	bash hack/krew-manifest.sh render

validate-krew-manifest: krew-manifest tools
	bash hack/krew-manifest.sh validate

krew-install-test: krew-manifest tools
	bash hack/krew-manifest.sh install-test
