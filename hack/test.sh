#!/usr/bin/env bash
# Runs every Go test (unit, real-apiserver, command and kubectl tests) verbosely into
# .cache/test.log and prints what matters: package results, failures, the harness lines
# that prove the real apiserver ran, and a closing "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
log=.cache/test.log
envoy_bin="${TOOLS_BIN:-.cache/bin}/envoy"
echo "envoy --version: $("$envoy_bin" --version 2>&1 | tr -s '\n' ' ' || echo "missing: run bash hack/tools/envoy.sh")" >"$log"
go test -count=1 -timeout 45m -v "$@" ./... >>"$log" 2>&1
rc=$?
# Benchmarks are measured by `make bench`; here one iteration each proves they still run
# (small sizes: the 100/200 MB dumps are generated only when EGRESS_BENCH_DUMP_MB is set).
echo "--- benchmark smoke (-benchtime=1x) ---" >>"$log"
if ! go test -count=1 -run '^$' -bench . -benchtime=1x ./envoy/ ./bench/ ./internal/scale/ >>"$log" 2>&1; then
	echo "FAIL benchmark smoke (see $log)" | tee -a "$log"
	rc=1
fi
grep -E '^(ok|FAIL)\s|^--- FAIL|^\s+--- FAIL|panic:|real kube-apiserver running|SKIPPED real-apiserver|real envoy [0-9.]+ running|SKIPPED real-envoy|^envoy --version' "$log"
if [ $rc -ne 0 ]; then
	echo "--- failing output (full log: $log) ---"
	grep -E -B2 -A25 '^\s*--- FAIL' "$log" | head -300
fi
passed=$(grep -cE '^\s*--- PASS' "$log")
failed=$(grep -cE '^\s*--- FAIL' "$log")
skipped=$(grep -cE '^\s*--- SKIP' "$log")
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $rc
