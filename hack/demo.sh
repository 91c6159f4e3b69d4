#!/usr/bin/env bash
# make demo: runs `kubectl egress trace` offline over every testdata/scenarios/* and prints
# what a user would see. Findings (exit 79) are part of the demo; any other failure of the
# tool (1 error, 64 usage, 65 unreadable input) fails it.
#
# Usage: hack/demo.sh PATH/TO/kubectl-egress [extra trace flags, e.g. -o wide]
set -uo pipefail
cd "$(dirname "$0")/.."

bin=${1:?usage: hack/demo.sh PATH/TO/kubectl-egress [trace flags]}
shift
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac

# What each scenario traces: the request its README's "Expected verdict" talks about, as the
# Istio docs task sends it. The scenario READMEs have no machine-readable target line, so
# this table is the one place that says it (plugin/trace_golden_test.go reads it too).
# Format: scenario|TARGET (HOST, HOST:PORT or URL); the client is always deploy/sleep -n default.
SCENARIOS='
allow-any|https://edition.cnn.com
broken-credential-secret-missing|http://my-nginx.mesh-external.svc.cluster.local
broken-dr-credential-no-workloadselector|http://my-nginx.mesh-external.svc.cluster.local
broken-dr-subset-missing|http://edition.cnn.com/politics
broken-exportto-hides-se|http://edition.cnn.com/politics
broken-http-se-on-443|https://httpbin.org/headers
broken-registry-only-no-se|edition.cnn.com
broken-vs-missing-mesh|http://edition.cnn.com/politics
dns-policy-none|http://edition.cnn.com/politics
gateway-http|http://edition.cnn.com/politics
gateway-mtls-origination|http://my-nginx.mesh-external.svc.cluster.local
gateway-tls-origination|http://edition.cnn.com/politics
gateway-tls-passthrough|https://edition.cnn.com
gateway-wildcard|https://en.wikipedia.org/wiki/Main_Page
hostaliases-fixed-ip|https://edition.cnn.com
hostaliases-no-sidecar-to-gateway|http://edition.cnn.com/politics
hostaliases-no-sidecar-to-gateway-pod|http://edition.cnn.com/politics
hostaliases-sidecar-to-gateway|https://edition.cnn.com
registry-only-with-se|https://edition.cnn.com
sidecar-mtls-origination|http://my-nginx.mesh-external.svc.cluster.local
sidecar-tls-origination|http://edition.cnn.com/politics
vs-timeout|http://httpbin.org/delay/5
'

target_of() {
	local line
	while IFS= read -r line; do
		if [[ $line == "$1|"* ]]; then
			echo "${line#*|}"
			return 0
		fi
	done <<<"$SCENARIOS"
	return 1
}

failed=0
for dir in testdata/scenarios/*/; do
	name=$(basename "$dir")
	target=$(target_of "$name") || {
		echo "demo: scenario $name is not in the SCENARIOS table of hack/demo.sh" >&2
		failed=1
		continue
	}
	printf '\n=== %s: kubectl egress trace %s --from deploy/sleep -n default -f %s\n' "$name" "$target" "${dir%/}"
	[[ -f $dir/README.md ]] && grep -m1 '^Expected verdict:' "$dir/README.md" | sed 's/^/    /'
	echo
	"$bin" trace "$target" --from deploy/sleep -n default -f "${dir%/}" "$@"
	rc=$?
	case $rc in
	0) ;;
	79) echo "(exit 79: findings at or above --failure-threshold)" ;;
	*)
		echo "demo: kubectl egress trace failed on $name with exit code $rc" >&2
		failed=1
		;;
	esac
done
exit $failed
