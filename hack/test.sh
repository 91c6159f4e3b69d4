#!/usr/bin/env bash
# Runs every Go test (unit, real-apiserver, command and kubectl tests) verbosely into
# .cache/test.log and prints what matters: package results, failures, the harness lines
# that prove the real apiserver ran, and a closing "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
log=.cache/test.log
go test -count=1 -v "$@" ./... >"$log" 2>&1
rc=$?
grep -E '^(ok|FAIL)\s|^--- FAIL|^\s+--- FAIL|panic:|real kube-apiserver running|SKIPPED real-apiserver' "$log"
if [ $rc -ne 0 ]; then
	echo "--- failing output (full log: $log) ---"
	grep -E -B2 -A25 '^\s*--- FAIL' "$log" | head -300
fi
passed=$(grep -cE '^\s*--- PASS' "$log")
failed=$(grep -cE '^\s*--- FAIL' "$log")
skipped=$(grep -cE '^\s*--- SKIP' "$log")
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $rc
