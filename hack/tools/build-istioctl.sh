#!/usr/bin/env bash
# Builds istioctl from the istio.io/istio version that hack/dumpgen pins (the same istiod code
# that generates the scenario dumps), into the git-ignored .cache/bin, for `make bench`'s
# comparison with `istioctl proxy-config all -f FILE`. A binary whose stamp matches the pinned
# version is reused. hack/dumpgen's go.sum lacks istioctl-only packages (viper, kubectl, ...),
# so the build runs in a scratch copy of that module under .cache, where `-mod=mod` adds the
# missing sums from the Go module proxy while istio.io/istio stays at the pinned version;
# hack/dumpgen itself is never modified. Cold, this compiles istio's tree (minutes on 2 cores).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${TOOLS_BIN:-$root/.cache/bin}"
mkdir -p "$bin"
version="$(cd "$root/hack/dumpgen" && go list -m -f '{{.Version}}' istio.io/istio)"
if [[ -x "$bin/istioctl" && -f "$bin/istioctl.stamp" && "$(cat "$bin/istioctl.stamp")" == "$version" ]]; then
	exit 0
fi
echo "build: istioctl istio.io/istio@$version (hack/dumpgen's pin)" >&2
mod="$root/.cache/istioctl-mod"
rm -rf "$mod" && mkdir -p "$mod"
cp "$root/hack/dumpgen/go.mod" "$root/hack/dumpgen/go.sum" "$mod/"
sed -i 's#^module .*#module kubectl-egress.local/istioctl-build#' "$mod/go.mod"
(cd "$mod" && go build -mod=mod -trimpath -o "$bin/istioctl" istio.io/istio/istioctl/cmd/istioctl)
got="$(cd "$mod" && go list -m -f '{{.Version}}' istio.io/istio)"
if [[ "$got" != "$version" ]]; then
	echo "build-istioctl: istio.io/istio moved from $version to $got while resolving istioctl's packages" >&2
	exit 1
fi
echo "$version" >"$bin/istioctl.stamp"
