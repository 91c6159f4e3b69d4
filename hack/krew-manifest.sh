#!/usr/bin/env bash
# The krew checks of a `make dist` build, run with the real krew and its validator built by
# hack/tools/build.sh into .cache/bin. Offline: nothing is fetched from GitHub.
#
#   krew-manifest.sh render         dist/egress.yaml from .krew.yaml, as krew-release-bot would
#   krew-manifest.sh validate       validate-krew-manifest on dist/egress.yaml (structure), then
#                                   on a copy whose URIs point at a loopback server of dist/, so
#                                   the validator installs every platform with `kubectl krew`
#   krew-manifest.sh install-test   `krew install --manifest --archive` into a temp KREW_ROOT,
#                                   then `kubectl egress version` through kubectl
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dist="${DIST_DIR:-$root/dist}"
bin="${TOOLS_BIN:-$root/.cache/bin}"
export KREW_NO_UPGRADE_CHECK=1

need() {
	for t in "$@"; do
		[[ -x $bin/$t ]] || { echo "krew-manifest: $bin/$t missing: run make tools" >&2; exit 1; }
	done
}

render() {
	go run ./hack/krewmanifest -template .krew.yaml -dist "$dist" -o "$dist/egress.yaml" "$@"
	echo "krew-manifest: wrote $dist/egress.yaml for $(cat "$dist/tag")" >&2
}

# kubectl_path DIR: a PATH where `kubectl krew` is the krew of .cache/bin.
kubectl_path() {
	ln -sf "$bin/kubectl" "$1/kubectl"
	ln -sf "$bin/krew" "$1/kubectl-krew"
	echo "$1:$PATH"
}

validate() {
	need validate-krew-manifest krew kubectl
	"$bin/validate-krew-manifest" -manifest "$dist/egress.yaml" -skip-install
	local port
	tmp="$(mktemp -d)"
	port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
	python3 -m http.server --bind 127.0.0.1 --directory "$dist" "$port" >"$tmp/http.log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
	mkdir "$tmp/local" "$tmp/bin"
	go run ./hack/krewmanifest -template .krew.yaml -dist "$dist" -o "$tmp/local/egress.yaml" \
		-download-url "http://127.0.0.1:$port" -skip-missing
	for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/tag')" 2>/dev/null && break; sleep 0.1; done
	PATH="$(kubectl_path "$tmp/bin")" "$bin/validate-krew-manifest" -manifest "$tmp/local/egress.yaml"
}

install_test() {
	need krew kubectl
	local tag os arch archive out
	tag="$(cat "$dist/tag")"
	os="$(go env GOOS)" arch="$(go env GOARCH)"
	archive="$dist/kubectl-egress_${tag}_${os}_${arch}.tar.gz"
	krew_root="$(mktemp -d)"
	trap 'rm -rf "$krew_root"' EXIT
	KREW_ROOT="$krew_root" "$bin/krew" install --manifest="$dist/egress.yaml" --archive="$archive"
	out="$(PATH="$krew_root/bin:$bin:$PATH" kubectl egress version -o json)"
	echo "$out"
	grep -q "\"version\": \"$tag\"" <<<"$out" || { echo "krew-manifest: installed plugin is not $tag" >&2; exit 1; }
	echo "krew-manifest: krew installed $tag and kubectl egress ran it" >&2
}

case "${1:-}" in
render) shift; render "$@" ;;
validate) validate ;;
install-test) install_test ;;
*) echo "usage: $0 render|validate|install-test" >&2; exit 64 ;;
esac
