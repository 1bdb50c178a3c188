#!/usr/bin/env bash
# bench/resample.sh — stemmaster's sample-rate converter (dsp/resample) against
# sox's very-high-quality converter (`rate -v`, libsoxr) on the same files:
# speed (wall time, and our converter alone) and quality (alias rejection,
# THD+N). Needs sox and Go; run from anywhere inside the module.
#
#   bench/resample.sh [SECONDS]     length of the speed-test file (default 60)
#
# The speed test converts a stereo 48 kHz 24-bit file to 44.1 kHz 24-bit
# (the francium mix from ../shared/testdata when present, pink noise
# otherwise), best of three runs each. The quality tests use 32-bit float
# files so the formats' own quantisation does not hide the converters'
# errors; the tones are synthesised in float64 by the helper:
#   - a −1 dBFS 23 kHz tone at 48 kHz → 44.1 kHz: its alias at 21.1 kHz
#   - a −1 dBFS 30 kHz tone at 96 kHz → 44.1 kHz: its alias at 14.1 kHz
#   - a −1 dBFS 997 Hz tone, 48 → 44.1, 44.1 → 48 and 96 → 44.1 kHz: THD+N
#     (the source's own THD+N, float32 rounding, is printed beside it)
set -euo pipefail

secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"

for tool in sox go; do
	command -v "$tool" >/dev/null || { echo "resample.sh: $tool not found" >&2; exit 1; }
done

echo "building bench/cmd/resample …" >&2
CGO_ENABLED=0 go build -o "$tmp/resample" ./bench/cmd/resample

now() { date +%s.%N; }
# best of three wall times of a command, in seconds
best3() {
	local best=
	for _ in 1 2 3; do
		local t0 t1 d
		t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
		d=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$d < $best" | bc -l)" = 1 ]; then best=$d; fi
	done
	printf '%.3f' "$best"
}

# ---- speed -----------------------------------------------------------------
mix="$root/../shared/testdata/francium/mix.wav"
if [ -f "$mix" ]; then
	src="$mix"; what="francium mix.wav"
else
	sox -D -n -r 48000 -b 24 -c 2 "$tmp/noise.wav" synth "$secs" pinknoise vol 0.5
	src="$tmp/noise.wav"; what="$secs s pink noise"
fi
frames=$(soxi -s "$src")
echo "== speed: $what, $(soxi -r "$src") Hz $(soxi -c "$src") ch, $frames frames → 44.1 kHz 24-bit"
ours=$(best3 "$tmp/resample" -bits 24 "$src" "$tmp/ours.wav" 44100)
soxs=$(best3 sox -V1 "$src" -b 24 "$tmp/sox.wav" rate -v 44100)
"$tmp/resample" -bits 24 "$src" "$tmp/ours.wav" 44100 2>&1 >/dev/null | sed 's/^/   /'
printf '   stemmaster %ss, sox rate -v %ss: stemmaster/sox = %.2f× the time (goal ≤ 2)\n' \
	"$ours" "$soxs" "$(echo "$ours / $soxs" | bc -l)"
printf '   output frames: stemmaster %s, sox %s (exact: round(%s·44100/%s))\n' \
	"$(soxi -s "$tmp/ours.wav")" "$(soxi -s "$tmp/sox.wav")" "$frames" "$(soxi -r "$src")"

# ---- quality ---------------------------------------------------------------
f32=(-e floating-point -b 32)
field() { "$tmp/resample" -measure "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
quality() { # name in-rate tone-Hz out-rate measure-Hz field
	local name=$1 rin=$2 tone=$3 rout=$4 at=$5 what=$6
	"$tmp/resample" -synth "$tone" -rate "$rin" -secs 10 "$tmp/$name.wav"
	"$tmp/resample" "$tmp/$name.wav" "$tmp/$name-ours.wav" "$rout" 2>/dev/null
	sox -V1 -D "$tmp/$name.wav" "${f32[@]}" "$tmp/$name-sox.wav" rate -v "$rout"
	local src=-
	[ "$what" = thdn_db ] && src=$(field "$tone" "$tmp/$name.wav" "$what")
	printf '   %-42s %8s %11s %8s\n' "$name ($what at $at Hz)" "$src" \
		"$(field "$at" "$tmp/$name-ours.wav" "$what")" "$(field "$at" "$tmp/$name-sox.wav" "$what")"
}
echo "== quality (32-bit float files, −1 dBFS tones written by the helper; lower is better)"
printf '   %-42s %8s %11s %8s\n' "" source stemmaster sox
quality alias-23k-48k-44k1 48000 23000 44100 21100 tone_dbfs
quality alias-30k-96k-44k1 96000 30000 44100 14100 tone_dbfs
quality thdn-997-48k-44k1 48000 997 44100 997 thdn_db
quality thdn-997-44k1-48k 44100 997 48000 997 thdn_db
quality thdn-997-96k-44k1 96000 997 44100 997 thdn_db
echo "   (sox carries samples as 32-bit integers, so a residue below about −187 dBFS reads -Inf)"
