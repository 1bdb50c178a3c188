#!/usr/bin/env bash
# bench/meters.sh — stemmaster's master figures against outside meters.
# Masters the francium stems with two sessions (the demo's channel strips
# and master chain; every processor on with the stem-aware limiter) to
# −14, −9 and −23 LUFS at −1 dBTP, each into WAV and FLAC, 16- and
# 24-bit, 44.1 and 48 kHz, and prints, per file, the report's integrated
# loudness, loudness range, true peak and sample peak beside ffmpeg's
# ebur128 and loudnorm, sox stats and an ideal 16× true-peak reference
# (bench/cmd/meters, which states the tolerances and exits 1 past them).
#
#   bench/meters.sh [FRANCIUM_DIR]     needs go, ffmpeg, sox
# STEMMASTER=/path/to/stemmaster uses a binary already built instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fr=${1:-${STEMMASTER_FRANCIUM:-$root/../shared/testdata/francium}}
[ -f "$fr/mix.wav" ] || { echo "meters.sh: francium stems not found in $fr" >&2; exit 1; }
fr=$(cd "$fr" && pwd)
. "$root/bench/allon.sh"
for t in go ffmpeg sox; do command -v $t >/dev/null || { echo "meters.sh: $t not found" >&2; exit 1; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
if [ -n "${STEMMASTER:-}" ]; then
	sm=$STEMMASTER
else
	(cd "$root" && go build -o "$work/stemmaster" ./cmd/stemmaster)
	sm=$work/stemmaster
fi

outputs='outputs:
  - {format: wav, bit_depth: 24, suffix: w24-48}
  - {format: wav, bit_depth: 16, dither: tpdf, suffix: w16-48}
  - {format: wav, bit_depth: 24, sample_rate: 44100, suffix: w24-44}
  - {format: wav, bit_depth: 16, sample_rate: 44100, dither: tpdf, suffix: w16-44}
  - {format: flac, bit_depth: 24, suffix: f24-48}
  - {format: flac, bit_depth: 16, dither: tpdf, suffix: f16-48}
  - {format: flac, bit_depth: 24, sample_rate: 44100, suffix: f24-44}
  - {format: flac, bit_depth: 16, sample_rate: 44100, dither: tpdf, suffix: f16-44}'

# demo: the channel strips and master chain of `stemmaster demo`'s session
demo() {
	cat <<E
stems:
  - {file: $fr/drums.wav, role: drums, eq: [{type: low_shelf, freq_hz: 80, gain_db: 1.5, q: 0.707}],
     compressor: {threshold_db: -14, ratio: 2.5, attack_ms: 15, release_ms: 120, knee_db: 4}}
  - {file: $fr/instruments.wav, role: instruments, eq: [{type: high_pass, freq_hz: 35, q: 0.707}, {type: peak, freq_hz: 2500, gain_db: -1.5, q: 1.2}]}
  - {file: $fr/lead_vocal.wav, role: lead_vocal, eq: [{type: peak, freq_hz: 3000, gain_db: 1.5, q: 1.0}],
     compressor: {threshold_db: -20, ratio: 3, attack_ms: 20, release_ms: 150, knee_db: 6}}
  - {file: $fr/backing_vocals.wav, role: backing_vocals, gain_db: -1}
  - {file: $fr/fx.wav, role: fx}
master:
  eq: [{type: high_pass, freq_hz: 20, q: 0.707}]
  compressor: {threshold_db: -12, ratio: 1.5, attack_ms: 30, release_ms: 200, knee_db: 6, sidechain_hpf_hz: 100}
  limiter: {lookahead_ms: 5, release_ms: 80}
  target: {integrated_lufs: $1, true_peak_dbtp: -1}
$outputs
E
}

# allon: every processor on every stem and the master, stem-aware limiter
allon() {
	echo "stems:"
	for s in lead_vocal backing_vocals drums instruments fx; do
		echo "  - file: $fr/$s.wav"
		echo "    role: $s"
		case $s in
		lead_vocal) allon_strip 1 "" ;;
		drums | instruments) allon_strip "" 1 ;;
		*) allon_strip ;;
		esac
	done
	allon_master "{lookahead_ms: 5, release_ms: 80, stem_aware: {lead_vocal: 0.2}}" "$1"
	echo "$outputs"
}

dirs=()
for kind in demo allon; do
	for target in -14 -9 -23; do
		d=$work/$kind$target
		mkdir -p "$d"
		$kind $target >"$d/session.yaml"
		"$sm" master -s "$d/session.yaml" -o "$d" --no-check >"$d/log.txt" 2>&1 || { cat "$d/log.txt" >&2; exit 1; }
		dirs+=("$d")
	done
done
(cd "$root" && go run ./bench/cmd/meters "${dirs[@]}")
