#!/usr/bin/env bash
# bench/scaleout.sh — load run of the scaled-out layout: for each worker
# count (default 1, 2 and 3), scripts/scaleout.sh brings up PostgreSQL,
# versitygw, 2 `serve --no-work` front ends and that many `worker`s on this
# machine; bench/cmd/scaleload then creates PROJECTS projects (default 50)
# of STEMS short stems (default 2 × 4 s of 48 kHz/24-bit stereo), renders
# them all at once through both front ends, downloads every output and
# prints throughput, job latency p50/p95/p99, errors and lost files. It
# also prints the CPU time the workers used (renders per core-hour) and the
# bytes stored per project. Exit status 1 when any run had an error or a
# lost file.
#
#   bash bench/scaleout.sh               # 1, 2, 3 workers
#   WORKER_COUNTS="3" PROJECTS=20 bash bench/scaleout.sh
#
# Each worker runs one render at a time (--render-workers 1), and a render
# uses every core it can, so throughput rises with workers only while
# cores are idle: on a 2-core machine expect the gain from 1 to 2 workers
# to come from overlapping one render's I/O (ranged reads of the stems,
# upload, database) with another's DSP. Figures on a shared machine are noisy.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PROJECTS=${PROJECTS:-50}
STEMS=${STEMS:-2}
SECONDS_PER_STEM=${SECONDS_PER_STEM:-4}
WORKER_COUNTS=${WORKER_COUNTS:-"1 2 3"}
work=$(mktemp -d /tmp/stemmaster-bench-scaleout.XXXXXX)
chmod 755 "$work" # the database runs as postgres when we are root
trap '[ -z "${KEEP:-}" ] && rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/stemmaster" ./cmd/stemmaster && go build -o "$work/scaleload" ./bench/cmd/scaleload)

# clk_tck: CPU times in /proc are in clock ticks.
tck=$(getconf CLK_TCK)
cpu_of() { # pid → user+system CPU seconds of the process (children included once reaped)
	awk -v t="$tck" '{print ($14 + $15) / t}' "/proc/$1/stat" 2>/dev/null || echo 0
}

status=0
echo "bench/scaleout: $PROJECTS projects × $STEMS stems × $SECONDS_PER_STEM s, 2 front ends; $(nproc) cores (shared machine: figures are noisy)"
for w in $WORKER_COUNTS; do
	dir="$work/run-$w"
	# One client address creates every project: lift the per-address
	# creation and active-job limits meant for the open internet.
	DIR="$dir" DETACH=1 SERVE=2 WORKERS="$w" STEMMASTER="$work/stemmaster" SERVE_FLAGS="--creates-per-minute 100000 --jobs-per-client -1" \
		bash "$root/scripts/scaleout.sh" >"$work/scaleout-$w.log" 2>&1 || {
		cat "$work/scaleout-$w.log" >&2
		exit 1
	}
	# shellcheck disable=SC1091
	source "$dir/env"
	wpids=$(pgrep -f "stemmaster worker --data $dir/worker" || true)
	pm=$(head -1 "$dir/pg/postmaster.pid")
	allpids="$(pgrep -f "$dir/" || true) $pm $(pgrep -P "$pm" || true)"
	sum_cpu() { local t=0; for p in $1; do t=$(echo "$t + $(cpu_of "$p")" | bc -l); done; echo "$t"; }
	before=$(sum_cpu "$wpids")
	all_before=$(sum_cpu "$allpids")
	set +e
	"$work/scaleload" -web "$SCALEOUT_WEB" -projects "$PROJECTS" -stems "$STEMS" -seconds "$SECONDS_PER_STEM" -label "2 serve + $w workers"
	rc=$?
	set -e
	[ $rc -ne 0 ] && status=1
	after=$(sum_cpu "$wpids")
	all_after=$(sum_cpu "$allpids")
	bytes=$(du -sb "$dir/s3" | cut -f1)
	printf '  CPU: workers %.1f s, whole layout (front ends, PostgreSQL, S3 too) %.1f s: %.0f renders per worker core-hour, %.0f per layout core-hour; %.1f MB stored per project (stems, outputs, previews)\n' \
		"$(echo "$after - $before" | bc -l)" "$(echo "$all_after - $all_before" | bc -l)" \
		"$(echo "$PROJECTS * 3600 / ($after - $before + 0.001)" | bc -l)" \
		"$(echo "$PROJECTS * 3600 / ($all_after - $all_before + 0.001)" | bc -l)" \
		"$(echo "$bytes / $PROJECTS / 1000000" | bc -l)"
	bash "$dir/stop"
done
exit $status
