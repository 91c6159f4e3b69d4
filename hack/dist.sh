#!/usr/bin/env bash
# Cross-compiles kubectl-egress and packs one krew-ready archive per platform into $DIST_DIR
# (default dist/): kubectl-egress_<tag>_<os>_<arch>.tar.gz (.zip for windows) holding the
# binary, LICENSE and (not on windows) the kubectl_complete-egress shim for kubectl's plugin
# completion, plus kubectl-egress_<tag>_checksums.txt (sha256sum) and a file `tag` naming <tag>.
#
# Environment: VERSION, COMMIT, DATE (the Makefile passes its own) and PKG are stamped with
# the same -ldflags as `make build`. krew requires a semver tag, so a VERSION that is not
# vX.Y.Z[...] (an untagged `git describe`, say 4842ccf-dirty) becomes v0.0.0-dev-<VERSION>.
# PLATFORMS (space-separated os/arch, default all five) limits the build, e.g. for tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dist="${DIST_DIR:-$root/dist}"
PKG="${PKG:-github.com/kubectl-egress/kubectl-egress/plugin}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
COMMIT="${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
DATE="${DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
PLATFORMS="${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64}"

release_tag() {
	if [[ $1 =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
		echo "$1"
	else
		echo "v0.0.0-dev-$(tr -c '0-9A-Za-z-\n' '-' <<<"$1")"
	fi
}

# The shim kubectl runs for `kubectl egress <TAB>`: it must be on PATH next to kubectl-egress.
write_shim() {
	cat >"$1" <<'SHIM'
#!/usr/bin/env sh
# kubectl runs kubectl_complete-egress for `kubectl egress <TAB>` (kubectl >= 1.26).
exec kubectl-egress __complete "$@"
SHIM
	chmod 0755 "$1"
}

# pack OS ARCH: builds into a staging dir and writes the archive into $dist.
pack() {
	local os=$1 arch=$2 exe=kubectl-egress stage name
	[[ $os == windows ]] && exe=kubectl-egress.exe
	name="kubectl-egress_${tag}_${os}_${arch}"
	stage="$work/$name"
	mkdir -p "$stage"
	echo "dist: $name" >&2
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$stage/$exe" ./cmd/kubectl-egress
	cp LICENSE "$stage/LICENSE"
	write_shim "$stage/kubectl_complete-egress"
	# Fixed owner and mtime keep archives of the same commit byte-identical.
	touch -d "@$mtime" "$stage"/*
	if [[ $os == windows ]]; then
		# The shim is a POSIX sh script: of no use to kubectl on Windows.
		rm "$stage/kubectl_complete-egress"
		(cd "$stage" && rm -f "$dist/$name.zip" && python3 -m zipfile -c "$dist/$name.zip" "$exe" LICENSE)
		built+=("$name.zip")
	else
		tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C "$stage" -cf - \
			"$exe" kubectl_complete-egress LICENSE | gzip -n >"$dist/$name.tar.gz"
		built+=("$name.tar.gz")
	fi
}

tag="$(release_tag "$VERSION")"
ldflags="-s -w -X $PKG.version=$tag -X $PKG.commit=$COMMIT -X $PKG.date=$DATE"
mtime="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
mkdir -p "$dist"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
built=()
for p in $PLATFORMS; do
	pack "${p%/*}" "${p#*/}"
done
sums="kubectl-egress_${tag}_checksums.txt"
(cd "$dist" && sha256sum "${built[@]}" >"$sums")
echo "$tag" >"$dist/tag"
echo "dist: ${#built[@]} archives for $tag in $dist (sums in $sums)" >&2
