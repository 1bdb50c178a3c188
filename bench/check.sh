#!/bin/sh
# bench/check.sh — time `stemmaster check --mix` on a synthetic delivery of
# 8 stems × 240 s (48 kHz, 24-bit stereo) plus their unity-sum mix, and
# print the wall time and the peak resident memory. The budget is
# 10 s on the 2-core build machine, with memory that does not grow with
# the stems' length (the check streams).
#
# Usage: bench/check.sh [SECONDS]   (default 240); RUNS=N runs (default 3),
# medians printed: wall, CPU (user + system) and peak RSS.
# Needs: go, sox, GNU time (/usr/bin/time, Debian package `time`); without
# it the peak RSS is not printed. Run from anywhere.
# STEMMASTER=/path/to/stemmaster uses a binary already built instead.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-240}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if [ -n "${STEMMASTER:-}" ]; then
	cp "$STEMMASTER" "$work/stemmaster"
else
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/stemmaster" ./cmd/stemmaster)
fi

# Eight different stems: noise shaped by tremolo and filters (transients and
# bands of their own, so alignment has material), each at its own level.
i=0
mixargs=""
for spec in \
	"pinknoise 0.08 tremolo 2 90 highpass 2000" \
	"brownnoise 0.5 tremolo 1 60 lowpass 200" \
	"pinknoise 0.12 tremolo 0.5 40 bandpass 1000 2q" \
	"whitenoise 0.02 tremolo 4 95 highpass 6000" \
	"pinknoise 0.1 tremolo 0.25 50 lowpass 3000" \
	"pinknoise 0.15 tremolo 3 70 bandpass 400 1q" \
	"brownnoise 0.3 tremolo 0.7 30 bandpass 150 1q" \
	"pinknoise 0.08 tremolo 6 80 bandpass 3000 1q"; do
	i=$((i + 1))
	f="$work/stem$i.wav"
	set -- $spec
	noise=$1 vol=$2
	shift 2
	# Independent noise per channel, turned down before the filters.
	sox -n -r 48000 -c 2 -b 24 "$f" synth "$secs" "$noise" "$noise" vol "$vol" "$@"
	mixargs="$mixargs -v 1 $f"
done
# shellcheck disable=SC2086
sox -m $mixargs -b 24 "$work/mix.wav"

echo "check: 8 stems × ${secs} s + mix, 48 kHz 24-bit stereo ($(du -sh "$work" | cut -f1) of WAV); medians of $runs runs"
if [ -x /usr/bin/time ]; then
	i=0
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -f "%e %U %S %M" -o "$work/t" \
			"$work/stemmaster" check --json --mix "$work/mix.wav" "$work"/stem?.wav >"$work/report.json" 2>"$work/stderr" || true
		awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/t" >>"$work/times"
		i=$((i + 1))
	done
	median() { cut -d' ' -f"$1" "$work/times" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
	printf '%.2f s wall, %.2f CPU-s (user + system), %d MB peak RSS\n' "$(median 1)" "$(median 2)" $(($(median 3) / 1024))
else
	s=$(date +%s.%N)
	"$work/stemmaster" check --json --mix "$work/mix.wav" "$work"/stem?.wav >"$work/report.json" 2>/dev/null || true
	e=$(date +%s.%N)
	echo "$(echo "$e - $s" | bc -l) s wall"
fi
# The findings, to see that the check ran to the end (a clean set: none
# but infos expected).
codes=$(grep -o '"code":"[a-z_]*"' "$work/report.json" | sort | uniq -c)
echo "findings: ${codes:-none}"
