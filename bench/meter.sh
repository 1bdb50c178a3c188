#!/bin/sh
# bench/meter.sh — time `stemmaster meter` against ffmpeg's ebur128 filter
# (integrated, LRA and true peak in both) on the same 240 s, 48 kHz, 24-bit
# stereo file, in the same run, and print the wall-time ratio.
#
# Usage: bench/meter.sh [FILE]   (without FILE, pink noise is made with sox)
# Needs: go, ffmpeg; sox when no FILE is given. Run from anywhere.
# STEMMASTER=/path/to/stemmaster uses a binary already built instead.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

file=${1:-}
if [ -z "$file" ]; then
	file="$work/pink240.wav"
	# Independent pink noise per channel, peaking near -3 dBFS.
	sox -n -r 48000 -c 2 -b 24 "$file" synth 240 pinknoise pinknoise vol 0.35
fi
if [ -n "${STEMMASTER:-}" ]; then
	cp "$STEMMASTER" "$work/stemmaster"
else
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/stemmaster" ./cmd/stemmaster)
fi

# best of three wall times, in seconds
best() {
	b=""
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}

sm=$(best "$work/stemmaster" meter --json "$file")
ff=$(best ffmpeg -nostats -hide_banner -i "$file" -af ebur128=peak=true -f null -)
ffq=$(best ffmpeg -nostats -hide_banner -i "$file" -af ebur128=peak=true:framelog=verbose -f null -)

echo "file: $file"
"$work/stemmaster" meter "$file"
ffmpeg -nostats -hide_banner -i "$file" -af ebur128=peak=true:framelog=verbose -f null - 2>&1 |
	sed -n '/Summary/,$p' | grep -E 'I:|LRA:|Peak:' | sed 's/^ */ffmpeg: /'
printf 'stemmaster meter                         %6.3f s\n' "$sm"
printf 'ffmpeg ebur128=peak=true                 %6.3f s   ratio %.2fx\n' "$ff" "$(echo "$ff / $sm" | bc -l)"
printf 'ffmpeg ebur128=peak=true (no frame log)  %6.3f s   ratio %.2fx\n' "$ffq" "$(echo "$ffq / $sm" | bc -l)"
