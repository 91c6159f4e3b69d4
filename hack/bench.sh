#!/usr/bin/env bash
# `make bench`: the mesh-scale benchmarks of bench/ and a table of the ratios they were
# written for, all measured in this one run. Scaled dumps are generated first into the
# git-ignored .cache/scale (never inside a timing); istioctl is built by
# hack/tools/build-istioctl.sh (its benchmark skips when that fails). Every benchmark runs
# COUNT times and the table uses the fastest run, the usual estimator on a shared machine;
# the load average before and after is printed with it. P3 (BenchmarkLive) counts rather
# than times: it traces ports 80 and 443 once per mesh size against a real kube-apiserver
# (make tools), with the largest DUMP_MB as the sidecar's dump. P4 (BenchmarkSecretsDump)
# is check-secrets against the offline trace on the same dumps: the scaled ones and one of
# TINY_LISTENERS minimal listeners.
#   DUMP_MB=10,100,200  MESH=1000,3000,10000  COUNT=3  PEAK_MB=100  TINY_LISTENERS=1000000  bash hack/bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/.cache/bench"
mkdir -p "$out"
export EGRESS_BENCH_DUMP_MB="${DUMP_MB:-10,100,200}" EGRESS_BENCH_MESH="${MESH:-1000,3000,10000}"
export EGRESS_BENCH_TINY_LISTENERS="${TINY_LISTENERS:-1000000}"
count="${COUNT:-3}"
peak_mb="${PEAK_MB:-100}"
load() { cut -d' ' -f1-3 /proc/loadavg; }

bash hack/tools/build-istioctl.sh || echo "bench: istioctl build failed; its benchmark will skip" >&2
go test -run TestGenerateDumps -count=1 -timeout 30m ./bench/ >/dev/null
go test -c -o "$out/bench.test" ./bench/
load_before="$(load)"
{
	"$out/bench.test" -test.run '^$' -test.bench 'BenchmarkDump' -test.benchtime 1x -test.count "$count" -test.benchmem -test.timeout 60m
	"$out/bench.test" -test.run '^$' -test.bench 'BenchmarkSecretsDump' -test.benchtime 1x -test.count "$count" -test.benchmem -test.timeout 60m
	"$out/bench.test" -test.run '^$' -test.bench 'BenchmarkMesh/.*/trace' -test.benchtime 200x -test.count "$count" -test.benchmem
	"$out/bench.test" -test.run '^$' -test.bench 'BenchmarkMesh/.*/secrets' -test.benchtime 1x -test.count "$count" -test.benchmem -test.timeout 60m
	"$out/bench.test" -test.run '^$' -test.bench 'BenchmarkLive' -test.benchtime 1x -test.count 1 -test.timeout 90m
} | (cd bench && tee "$out/bench.txt")
load_after="$(load)"

# table reads `go test -bench` output (fastest run of each benchmark) and the peak file.
read -r -d '' table_awk <<'AWK' || true
function dur(ns) { return ns >= 1e9 ? sprintf("%.2fs", ns/1e9) : ns >= 1e6 ? sprintf("%.1fms", ns/1e6) : sprintf("%.0fµs", ns/1e3) }
function x(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f×", a/b) : "-" }
function mb(b) { return sprintf("%.2f MB", b/1048576) }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i <= NF; i++) { if ($(i+1) == "ns/op") ns = $i + 0; if ($(i+1) ~ /\/op$|^%-/) metric[name, $(i+1)] = $i + 0 }
	if (!(name in best) || ns < best[name]) best[name] = ns
	n = split(name, p, "/"); sub(/^[a-z]+=/, "", p[2])
	if (p[1] == "BenchmarkDump" && !(p[2] in seenD)) { seenD[p[2]] = 1; dumps[++nd] = p[2] }
	if (p[1] == "BenchmarkMesh" && !(p[2] in seenM)) { seenM[p[2]] = 1; meshes[++nm] = p[2] }
	if (p[1] == "BenchmarkLive" && !(p[2] in seenL)) { seenL[p[2]] = 1; lives[++nl] = p[2] }
	if (p[1] == "BenchmarkSecretsDump") { d = name; sub(/^BenchmarkSecretsDump\//, "", d); sub(/\/[^\/]*$/, "", d); if (!(d in seenS)) { seenS[d] = 1; sdumps[++nsd] = d } }
	if (p[1] == "BenchmarkLive") { sub(/^[a-z]+=/, "", p[3]); if (!(p[3] in seenP)) { seenP[p[3]] = 1; lports[++np] = p[3] } }
}
END {
	print ""
	print "P1  offline trace of edition.cnn.com:80 (parse the scaled sidecar dump + the gateway dump, trace.Run)"
	printf "%-7s %-11s %-15s %-18s %-13s %-10s %-11s %s\n", "DUMP", "JSON.VALID", "TRACE-FILTERED", "÷VALID (≤1.5×)", "TRACE-FULL", "÷VALID", "ISTIOCTL", "ISTIOCTL÷FILTERED (≥4×)"
	for (i = 1; i <= nd; i++) {
		k = "BenchmarkDump/size=" dumps[i] "/"
		v = best[k "json.Valid"]; f = best[k "trace-filtered"]; u = best[k "trace-full"]; c = best[k "istioctl"]
		printf "%-7s %-11s %-15s %-18s %-13s %-10s %-11s %s\n", dumps[i], dur(v), dur(f), x(f, v), dur(u), x(u, v), (c ? dur(c) : "skipped"), x(c, f)
	}
	if (nsd > 0) {
		print ""
		print "P4  check-secrets (parse the proxy dump for the planned credentials + secrets.Run) against the offline trace of P1, on the same dump"
		printf "%-17s %-15s %-17s %-20s %-13s %s\n", "DUMP", "TRACE-FILTERED", "SECRETS-FILTERED", "÷TRACE (goal ≤1.5×)", "SECRETS-FULL", "÷TRACE (before)"
		for (i = 1; i <= nsd; i++) {
			k = "BenchmarkSecretsDump/" sdumps[i] "/"
			t = best[k "trace-filtered"]; f = best[k "secrets-filtered"]; u = best[k "secrets-full"]
			printf "%-17s %-15s %-17s %-20s %-13s %s\n", sdumps[i], dur(t), dur(f), x(f, t), dur(u), x(u, t)
		}
	}
	print ""
	print "P2  after the load: trace.Run (one host) and secrets.Run (every credential)"
	printf "%-9s %-16s %s\n", "OBJECTS", "TRACE (<100ms)", "SECRETS (<1s)"
	for (i = 1; i <= nm; i++) {
		k = "BenchmarkMesh/objects=" meshes[i] "/"
		printf "%-9s %-16s %s\n", meshes[i], dur(best[k "trace"]), dur(best[k "secrets"])
	}
	if (nm > 1) {
		a = "BenchmarkMesh/objects=" meshes[1] "/"; b = "BenchmarkMesh/objects=" meshes[nm] "/"
		printf "growth %s→%s objects (%s): trace %s, secrets %s (linear = the object ratio)\n", meshes[1], meshes[nm], x(meshes[nm], meshes[1]), x(best[b "trace"], best[a "trace"]), x(best[b "secrets"], best[a "secrets"])
	}
	if (nl > 0) {
		print ""
		printf "P3  live trace of edition.cnn.com:PORT against a real kube-apiserver (sidecar dump %s MB + gateway dump, Envoy admin semantics, pods/portforward)\n", livemb
		printf "%-9s %-5s %-13s %-12s %-22s %-13s %-13s %-21s %s\n", "OBJECTS", "PORT", "API-REQUESTS", "API-BYTES", "ADMIN-REQS NARROW/FULL", "BYTES NARROW", "BYTES FULL", "NARROW÷FULL (≤10%)", "OF WHICH ROUTE \"80\""
		for (i = 1; i <= nl; i++) for (j = 1; j <= np; j++) {
			a = "BenchmarkLive/objects=" lives[i] "/port=" lports[j] "/narrow"; f = "BenchmarkLive/objects=" lives[i] "/port=" lports[j] "/full"
			route = ((a, "%-route-80") in metric) ? sprintf("%.1f%%", metric[a, "%-route-80"]) : "-"
			printf "%-9s %-5s %-13s %-12s %-22s %-13s %-13s %-21s %s\n", lives[i], lports[j], metric[a, "api-requests/op"] "/" metric[f, "api-requests/op"], mb(metric[a, "api-bytes/op"]), metric[a, "admin-requests/op"] "/" metric[f, "admin-requests/op"], mb(metric[a, "proxy-bytes/op"]), mb(metric[f, "proxy-bytes/op"]), sprintf("%.1f%%", 100*metric[a, "proxy-bytes/op"]/metric[f, "proxy-bytes/op"]), route
		}
		a = "BenchmarkLive/objects=" lives[1] "/port=" lports[1] "/narrow"; b = "BenchmarkLive/objects=" lives[nl] "/port=" lports[1] "/narrow"
		printf "API requests %s→%s objects: %d → %d (goal: no growth); API-REQUESTS is narrow/--full-dump\n", lives[1], lives[nl], metric[a, "api-requests/op"], metric[b, "api-requests/op"]
		print "route \"80\" holds one virtual host per HTTP service on port 80 and name_regex selects whole route configs, so a port-80 trace reads it whole"
		print "port 443: the scaled dump has a VIP listener on 443 per replica; the narrow fetch reads only those the trace can pick when the live load passes envoy.WithClient, else all"
	}
	if (peakfile != "") {
		while ((getline line < peakfile) > 0) { split(line, q, " "); peak[q[1]] = q[2] }
		if (peak["file"] > 0) {
			print ""
			printf "PEAK RSS  (/usr/bin/time -v, one process per line, dump of %.1f MB; goal: trace ≤ 2× the file)\n", peak["file"]/1048576
			m = split("json.Valid trace-filtered trace-full istioctl", names, " ")
			for (i = 1; i <= m; i++) if (names[i] in peak)
				printf "%-15s %8.1f MB  %s the file\n", names[i], peak[names[i]]/1024, x(peak[names[i]]*1024, peak["file"])
		}
	}
}
AWK

# Peak memory of one offline trace (and of the baselines) in a process of its own.
peak() { # label command...
	local kb
	/usr/bin/time -v -o "$out/time.txt" "${@:2}" >/dev/null 2>&1 || true
	kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")
	printf '%s %s\n' "$1" "${kb:-0}"
}
: >"$out/peak.txt"
if [[ -x /usr/bin/time ]]; then
	for b in json.Valid trace-filtered trace-full; do
		(cd bench && EGRESS_BENCH_DUMP_MB="$peak_mb" peak "$b" "$out/bench.test" -test.run '^$' -test.bench "BenchmarkDump/size=${peak_mb}MB/$b\$" -test.benchtime 1x) >>"$out/peak.txt"
	done
	file="$(ls "$root"/.cache/scale/sidecar-"$peak_mb"MB-*.json | head -1)"
	[[ -x .cache/bin/istioctl ]] && peak istioctl .cache/bin/istioctl proxy-config all -f "$file" >>"$out/peak.txt"
	echo "file $(stat -c %s "$file")" >>"$out/peak.txt"
fi

{
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3); load average before $load_before, after $load_after"
	awk -v peakfile="$out/peak.txt" -v livemb="$(tr ',' '\n' <<<"$EGRESS_BENCH_DUMP_MB" | sort -n | tail -1)" "$table_awk" "$out/bench.txt"
} | tee "$out/table.txt"
