#!/bin/sh
# bench/master.sh — time a whole stem master in stemmaster against the same
# work done with ffmpeg the way a user would, in the same run, and print the
# wall-time ratio and the peak RSS of each.
#
# The work: 8 generated stems × 240 s, 48 kHz 24-bit stereo; per
# stem 3 EQ bands and a compressor; master EQ, glue compressor and true-peak
# limiter to -14 LUFS / -1 dBTP; two deliverables, 24-bit 48 kHz and 16-bit
# 44.1 kHz with TPDF dither.
#   stemmaster: one `stemmaster master -s session.yaml` (it measures, iterates
#               the gain to land within 0.1 LU and re-checks every file),
#               timed with the stem checks (the default) and with --no-check
#               (exactly the work the ffmpeg workflow does).
#   ffmpeg:     one graph to measure (stems → EQ → compressor → amix → master
#               EQ → compressor → ebur128), then one graph that applies the
#               measured gain and alimiter and writes both files (asplit,
#               aresample with triangular dither for the 16-bit file). It
#               lands where the one-shot gain puts it, not exactly on target.
#
# Usage: bench/master.sh [SECONDS]   (default 240; 8 stems always)
# Needs: go, ffmpeg, sox, GNU time (/usr/bin/time). Run from anywhere.
# STEMMASTER=/path/to/stemmaster uses a binary already built instead;
# KEEP=1 keeps the work directory (stems, session, outputs, logs).
# Figures on a shared or busy machine are noisy: run it on an idle one.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-240}
work=$(mktemp -d)
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT INT TERM; else echo "work directory: $work"; fi

if [ -n "${STEMMASTER:-}" ]; then
	cp "$STEMMASTER" "$work/stemmaster"
else
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/stemmaster" ./cmd/stemmaster)
fi

# Eight stereo stems of different character (noise bands, tones, beats),
# independent per channel where sox allows, peaking well below full scale.
mkdir -p "$work/stems"
sox -n -r 48000 -c 2 -b 24 "$work/stems/drums.wav" synth "$secs" pinknoise pinknoise vol 0.25 tremolo 2 90
sox -n -r 48000 -c 2 -b 24 "$work/stems/bass.wav" synth "$secs" sine 55 sine 55.2 tremolo 4 60 vol 0.3
sox -n -r 48000 -c 2 -b 24 "$work/stems/keys.wav" synth "$secs" triangle 220 triangle 330 vol 0.15
sox -n -r 48000 -c 2 -b 24 "$work/stems/pad.wav" synth "$secs" brownnoise brownnoise vol 0.3 lowpass 800
sox -n -r 48000 -c 2 -b 24 "$work/stems/gtr.wav" synth "$secs" square 196 square 247 vol 0.08 lowpass 3000
sox -n -r 48000 -c 2 -b 24 "$work/stems/vox.wav" synth "$secs" sine 440 sine 443 tremolo 5 50 vol 0.2
sox -n -r 48000 -c 2 -b 24 "$work/stems/bgv.wav" synth "$secs" sine 660 sine 550 tremolo 3 40 vol 0.1
sox -n -r 48000 -c 2 -b 24 "$work/stems/fx.wav" synth "$secs" whitenoise whitenoise vol 0.05 highpass 4000 tremolo 0.5 100
stems="drums bass keys pad gtr vox bgv fx"

# The session: the same processing as the ffmpeg graph below.
{
	echo "stems:"
	for s in $stems; do
		cat <<EOF
  - file: stems/$s.wav
    eq: [{type: high_pass, freq_hz: 40, q: 0.707}, {type: peak, freq_hz: 1000, gain_db: -2, q: 1}, {type: high_shelf, freq_hz: 8000, gain_db: 1.5, q: 0.707}]
    compressor: {threshold_db: -18, ratio: 3, attack_ms: 10, release_ms: 120, knee_db: 6}
EOF
	done
	cat <<EOF
master:
  eq: [{type: low_shelf, freq_hz: 100, gain_db: 1, q: 0.707}]
  compressor: {threshold_db: -12, ratio: 1.5, attack_ms: 30, release_ms: 200, knee_db: 6}
  limiter: {lookahead_ms: 5, release_ms: 80}
  target: {integrated_lufs: -14, true_peak_dbtp: -1}
outputs:
  - {format: wav, bit_depth: 24}
  - {format: wav, bit_depth: 16, sample_rate: 44100, dither: tpdf, suffix: cd}
EOF
} >"$work/session.yaml"

# The ffmpeg graph: per stem the same three bands and compressor (threshold
# -18 dBFS = 0.1259, knee 6 dB = 2.0), then the sum and the master chain.
inputs=""
graph=""
mix=""
i=0
for s in $stems; do
	inputs="$inputs -i $work/stems/$s.wav"
	graph="$graph[$i:a]highpass=f=40,equalizer=f=1000:t=q:w=1:g=-2,highshelf=f=8000:g=1.5,acompressor=threshold=0.1259:ratio=3:attack=10:release=120:knee=2[s$i];"
	mix="$mix[s$i]"
	i=$((i + 1))
done
master="${mix}amix=inputs=8:normalize=0,lowshelf=f=100:g=1,acompressor=threshold=0.2512:ratio=1.5:attack=30:release=200:knee=2"

timed() { # timed NAME CMD… : runs CMD, records wall seconds and peak RSS (KiB)
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"
}

mkdir -p "$work/sm" "$work/ff"
mkdir -p "$work/smnc"
timed sm "$work/stemmaster" master -s "$work/session.yaml" -o "$work/sm" --json
timed smnc "$work/stemmaster" master -s "$work/session.yaml" -o "$work/smnc" --json --no-check

timed ff1 ffmpeg -hide_banner -nostats $inputs -filter_complex "$graph${master},ebur128=peak=true" -f null -
# The last summary holds the figures (ffmpeg prints one per graph instance).
I=$(awk '/I:.*LUFS$/ {v=$2} END {print v}' "$work/ff1.err")
gain=$(echo "-14 - ($I)" | bc -l)
timed ff2 ffmpeg -hide_banner -nostats -y $inputs -filter_complex \
	"$graph${master},volume=${gain}dB,alimiter=limit=0.8913:attack=5:release=80:level=false,asplit=2[a][b];[b]aresample=44100:dither_method=triangular[c]" \
	-map "[a]" -c:a pcm_s24le "$work/ff/main.wav" -map "[c]" -c:a pcm_s16le "$work/ff/main-cd.wav"

read -r smt smrss <"$work/sm.time"
read -r snt snrss <"$work/smnc.time"
read -r f1t f1rss <"$work/ff1.time"
read -r f2t f2rss <"$work/ff2.time"
fft=$(echo "$f1t + $f2t" | bc -l)
ffrss=$((f1rss > f2rss ? f1rss : f2rss))

meter() { ffmpeg -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - 2>&1 | awk '/I:.*LUFS$/ {i=$2} /Peak:/ {p=$2} END {printf "I %s LUFS, TP %s dBTP", i, p}'; }
echo "8 stems × ${secs} s, 48 kHz 24-bit; target -14 LUFS / -1 dBTP; $(nproc) cores"
echo "stemmaster main.wav:    $(meter "$work/sm/main.wav")"
echo "stemmaster main-cd.wav: $(meter "$work/sm/main-cd.wav")"
echo "ffmpeg main.wav:        $(meter "$work/ff/main.wav")"
echo "ffmpeg main-cd.wav:     $(meter "$work/ff/main-cd.wav")"
printf 'stemmaster master          %7.2f s   peak RSS %4d MB   (with the stem checks)\n' "$smt" $((smrss / 1024))
printf 'stemmaster master --no-check %5.2f s   peak RSS %4d MB   (the same work as ffmpeg)\n' "$snt" $((snrss / 1024))
printf 'ffmpeg measure + apply     %7.2f s   peak RSS %4d MB   (%.2f + %.2f s)\n' "$fft" $((ffrss / 1024)) "$f1t" "$f2t"
printf 'ratio (ffmpeg / stemmaster) %.2fx with the checks, %.2fx without\n' "$(echo "$fft / $smt" | bc -l)" "$(echo "$fft / $snt" | bc -l)"
