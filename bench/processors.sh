#!/usr/bin/env bash
# bench/processors.sh — CPU cost of every processor of the engineer's chain
# in ns per sample and channel (stereo, 48 kHz; CPU time of the process,
# which a shared, loaded machine inflates less than wall time), from the
# packages' Go benchmarks, one table:
#   width, a compressor and a peak EQ band on the mid (M/S), saturation (per character, pink
#   noise driven +6 dB), multiband (4 bands compressing), de-esser, dynamic
#   EQ bell (stereo, and on the side), compressor (4096-frame blocks), true-peak
#   limiter (white noise +6 dBFS, francium as delivered and +6 dB),
#   stem-aware limiter (5 stems, per sample of the sum), the half-band
#   kernel (per output), the biquad kernels (stereo EQ, one peak section: the
#   pair kernel; a 48 dB/oct high-pass, four sections: the quad kernel; per
#   section), a stem's EQ (four stereo bands and a mid band, as one
#   processor and as an EQ then a mid/side wrap), the master's saturation
#   and multiband run over 8 stems keyed
#   by their sum, each stem's copy alone or as a group analysing the key
#   once (stem-aware limiting), and the demo song rendered with the plain
#   chain and with every processor on (CPU ms per second of music).
#
#   bench/processors.sh [BENCHTIME]   (default 2s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bt=${1:-2s}
export STEMMASTER_FRANCIUM=${STEMMASTER_FRANCIUM:-/work/shared/testdata/francium}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -benchtime "$bt" \
	-bench 'Saturate|Multiband|DeEsser|DynamicEQ|Width|MidSideCompressor|MidSideEQ|StemAware|Compressor/.*/block4096|Process/block4096|ProcessFrancium/.*/block4096|Interpolate' \
	./dsp ./dsp/saturate ./dsp/multiband ./dsp/dyneq ./dsp/stemlimit ./dsp/dynamics ./dsp/limiter ./dsp/halfband >"$out"
go test -run '^$' -benchtime "$bt" -bench 'EQ/(peak|hp48)/ch2/block4096|StemEQ' ./dsp/biquad >>"$out"
go test -run '^$' -benchtime "$bt" -bench KeyGroup ./engine >>"$out"
go test -run '^$' -benchtime 3x -bench ChainCPU ./engine >>"$out"
printf '%-48s %14s\n' benchmark "CPU ns/sample"
awk '/^Benchmark/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "cpu-ns/sample/ch") printf "%-48s %14s\n", name, $i
		if ($(i+1) == "cpu-ns/sample/ch/section") printf "%-48s %14s  (per section)\n", name, $i
		if ($(i+1) == "cpu-ms/s-of-music") printf "%-48s %14s  (CPU ms per s of music)\n", name, $i
	}
}' "$out"
