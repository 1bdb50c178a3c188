#!/usr/bin/env bash
# bench/stemaware.sh — the master with every processor of the engineer's
# chain on, limited stem-aware (lead vocal weighted 0.2) and plain, over
# the 8 × 240 s stems of bench/master.sh: medians of RUNS runs of wall
# time, CPU time (user + system) and peak RSS, for this tree's binary and,
# when BASE names another stemmaster binary, for it too (run alternately,
# so both see the same load; the figures of a shared machine are noisy:
# compare CPU seconds). The two binaries' outputs are compared with cmp.
#
#   WORK=/tmp/bm RUNS=3 [BASE=/path/to/stemmaster] [MODES="aware plain"] bash bench/stemaware.sh
#
# At the bench's −14 LUFS the limiter hardly acts; MODES="aware-9 plain-9"
# runs the same sessions at −9 LUFS, where it limits (and stem-aware
# targeting takes more passes).
#
# WORK must hold stems8-240/s0.wav … s7.wav (bench/master.sh makes them);
# the outputs and scratch (about 1 GB) go to a directory in TMPDIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/bm}
runs=${RUNS:-3}
stems=$work/stems8-240
[ -f "$stems/s0.wav" ] || { echo "no $stems/s0.wav: run bench/master.sh first (WORK=$work)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stemaware.XXXXXX") # outputs and the stems' spools: about 1 GB
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/stemmaster" ./cmd/stemmaster)
cp "$tmp/stemmaster" "$tmp/new" # a copy: a binary straight from go build counts more file-backed pages
roles=(lead_vocal backing_vocals drums bass instruments instruments fx other)
. "$root/bench/allon.sh"
session() { # session FILE LIMITER [LUFS]
	{
		echo "stems:"
		for i in 0 1 2 3 4 5 6 7; do
			echo "  - file: $stems/s$i.wav"
			echo "    role: ${roles[$i]}"
			allon_strip "$([ "$i" = 0 ] && echo 1)" "$(case $i in 2 | 4) echo 1 ;; esac)"
		done
		allon_master "$2" "${3:--14}"
		cat <<EOF
outputs:
  - {format: wav, bit_depth: 24}
  - {format: wav, bit_depth: 16, sample_rate: 44100, dither: tpdf, suffix: cd}
EOF
	} >"$1"
}
session "$tmp/aware.yaml" "{lookahead_ms: 5, release_ms: 80, stem_aware: {lead_vocal: 0.2}}"
session "$tmp/plain.yaml" "{lookahead_ms: 5, release_ms: 80}"
session "$tmp/aware-9.yaml" "{lookahead_ms: 5, release_ms: 80, stem_aware: {lead_vocal: 0.2}}" -9
session "$tmp/plain-9.yaml" "{lookahead_ms: 5, release_ms: 80}" -9
bins=(new)
[ -n "${BASE:-}" ] && cp "$BASE" "$tmp/base" && bins+=(base)
benchdir=$tmp benchfail=stop benchwidth=12
. "$root/bench/lib.sh"
for mode in ${MODES:-aware plain}; do
	for b in "${bins[@]}"; do rm -f "$tmp/$b-$mode.times"; done
	for r in $(seq "$runs"); do
		for b in "${bins[@]}"; do
			rm -rf "$tmp/out-$b"
			timed "$b-$mode" "$tmp/$b" master -s "$tmp/$mode.yaml" -o "$tmp/out-$b"
		done
	done
	for b in "${bins[@]}"; do
		line "$b $mode" "$b-$mode" "(medians of $runs; load $(cut -d' ' -f1-3 /proc/loadavg))"
	done
	if [ -n "${BASE:-}" ]; then
		for f in main.wav main-cd.wav; do
			cmp -s "$tmp/out-new/$f" "$tmp/out-base/$f" && echo "$mode $f: identical to BASE's" || echo "$mode $f: differs from BASE's"
		done
	fi
done
