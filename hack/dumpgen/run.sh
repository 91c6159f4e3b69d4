#!/usr/bin/env bash
# Regenerates every testdata/scenarios/<name>/ fixture with istiod's own config generation.
# Usage: hack/dumpgen/run.sh [scenario,...]     (called by `make fixtures`)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
bin_dir="${root}/.cache/bin"
bin="${bin_dir}/dumpgen"
mkdir -p "${bin_dir}"

cd "${here}"
# go build is incremental: with the binary and the build cache present this is a ~1 s no-op check.
# -trimpath matches the other tool builds so they share the build cache.
start=$(date +%s)
go build -trimpath -o "${bin}" .
echo "dumpgen: build took $(( $(date +%s) - start ))s" >&2

istio_dir="$(go list -m -f '{{.Dir}}' istio.io/istio)"
only=()
if [[ $# -gt 0 ]]; then
  only=(-only "$1")
fi
cd "${root}"
"${bin}" -out testdata/scenarios -istio-dir "${istio_dir}" "${only[@]}"
