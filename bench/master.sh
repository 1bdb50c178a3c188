#!/bin/sh
# bench/master.sh — time a whole stem master in stemmaster against the same
# work done with ffmpeg the way its best users run it, in the same run, and
# print wall time, CPU time (user + system) and peak RSS of each, and the
# ratios. Figures are medians of RUNS runs (default 3), the workflows taking
# turns run after run; the ratios are also given as the median of each
# round's own ratio, which a load that comes and goes disturbs least.
#
# The work: N generated stems (default 8) × SECONDS (default 240), 48 kHz
# 24-bit stereo; per stem 4 EQ bands and a compressor; master EQ, glue
# compressor and true-peak limiter to -14 LUFS / -1 dBTP; two deliverables,
# 24-bit 48 kHz and 16-bit 44.1 kHz with TPDF dither.
#   stemmaster: one `stemmaster master -s session.yaml` (it measures, lands
#               within 0.1 LU and re-measures every file), timed with the
#               stem checks (the default) and with --no-check (exactly the
#               work the ffmpeg workflow does).
#   ffmpeg:     tuned as its best users run it: `-max_size 65536` on every
#               input (the WAV demuxer's default of 4096-byte packets makes
#               every filter run on 682-frame blocks). One graph measures
#               (stems → EQ → compressor → amix → master EQ → compressor →
#               ebur128), then one graph applies the measured gain and
#               alimiter and writes both files (asplit, aresample with
#               triangular dither for the 16-bit file). It lands where the
#               one-shot gain puts it, not exactly on the target.
#
# Usage: bench/master.sh [SECONDS] [STEMS]
#   SCALE=1 also prints stemmaster alone for 4 and 16 stems of the same
#   length and the peak RSS of a 20-minute song (8 stems × 1200 s), with
#   the ratios the speed goals are stated in.
# Needs: go, ffmpeg, sox, GNU time (/usr/bin/time). Run from anywhere.
# STEMMASTER=/path/to/stemmaster uses a binary already built instead;
# KEEP=1 keeps the work directory (stems, session, outputs, logs);
# WORK=DIR uses DIR as the work directory and keeps the stems there between
# runs (they are made only when missing); RUNS=N sets the runs per figure;
# PREPARE=1 only makes the stems (all sets with SCALE=1) and stops.
# RUMBLE=HZ adds stemmaster's linear-phase rumble filter at HZ to the master
# (master.rumble_filter_hz; the ffmpeg graph has none), to time its cost.
# Figures on a shared or busy machine are noisy: run it on an idle one.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-240}
nstems=${2:-8}
runs=${RUNS:-3}
if [ -n "${WORK:-}" ]; then
	work=$WORK
	mkdir -p "$work"
else
	work=$(mktemp -d)
	if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT INT TERM; else echo "work directory: $work"; fi
fi

if [ -n "${STEMMASTER:-}" ]; then
	[ "$STEMMASTER" -ef "$work/stemmaster" ] || cp "$STEMMASTER" "$work/stemmaster"
else
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/stemmaster" ./cmd/stemmaster)
fi

# stems DIR SECONDS COUNT: COUNT stereo stems of different character (noise
# bands, tones, beats), independent per channel where sox allows, peaking
# well below full scale; past eight the kinds repeat with other pitches and
# rates. Made only when DIR/done is missing.
stems() {
	d=$1 len=$2 count=$3
	[ -f "$d/done" ] && return 0
	mkdir -p "$d"
	k=0
	while [ "$k" -lt "$count" ]; do
		m=$((k / 8 + 1)) # 1 for the first eight, 2 for the next …
		f="$d/s$k.wav"
		syn="sox -D -n -r 48000 -c 2 -b 24 $f synth $len"
		case $((k % 8)) in
		0) $syn pinknoise pinknoise vol 0.25 tremolo $((2 * m)) 90 ;;
		1) $syn sine $((55 * m)) sine $((55 * m)).2 tremolo 4 60 vol 0.3 ;;
		2) $syn triangle $((220 * m)) triangle $((330 * m)) vol 0.15 ;;
		3) $syn brownnoise brownnoise vol 0.3 lowpass $((800 * m)) ;;
		4) $syn square $((196 * m)) square $((247 * m)) vol 0.08 lowpass 3000 ;;
		5) $syn sine $((440 * m)) sine $((443 * m)) tremolo 5 50 vol 0.2 ;;
		6) $syn sine $((660 * m)) sine $((550 * m)) tremolo 3 40 vol 0.1 ;;
		7) $syn whitenoise whitenoise vol 0.05 highpass 4000 tremolo 0.5 100 ;;
		esac
		k=$((k + 1))
	done
	touch "$d/done"
}

# session DIR COUNT: the session over DIR's stems, the same processing as
# the ffmpeg graph below.
session() {
	d=$1 count=$2
	{
		echo "stems:"
		k=0
		while [ "$k" -lt "$count" ]; do
			cat <<EOF
  - file: $d/s$k.wav
    eq: [{type: high_pass, freq_hz: 40, q: 0.707}, {type: peak, freq_hz: 250, gain_db: 1, q: 1}, {type: peak, freq_hz: 1000, gain_db: -2, q: 1}, {type: high_shelf, freq_hz: 8000, gain_db: 1.5, q: 0.707}]
    compressor: {threshold_db: -18, ratio: 3, attack_ms: 10, release_ms: 120, knee_db: 6}
EOF
			k=$((k + 1))
		done
		cat <<EOF
master:
  rumble_filter_hz: ${RUMBLE:-0}
  eq: [{type: low_shelf, freq_hz: 100, gain_db: 1, q: 0.707}]
  compressor: {threshold_db: -12, ratio: 1.5, attack_ms: 30, release_ms: 200, knee_db: 6}
  limiter: {lookahead_ms: 5, release_ms: 80}
  target: {integrated_lufs: -14, true_peak_dbtp: -1}
outputs:
  - {format: wav, bit_depth: 24}
  - {format: wav, bit_depth: 16, sample_rate: 44100, dither: tpdf, suffix: cd}
EOF
	}
}

benchdir=$work benchfail=stop benchwidth=30
. "$root/bench/lib.sh"

# master NAME DIR COUNT [FLAGS…]: RUNS timed runs of stemmaster on DIR's stems.
master() {
	name=$1 d=$2 count=$3
	shift 3
	session "$d" "$count" >"$work/$name.yaml"
	rm -f "$work/$name.times"
	mkdir -p "$work/$name"
	i=0
	while [ "$i" -lt "$runs" ]; do
		master_once "$name" "$@"
		i=$((i + 1))
	done
}

# master_once NAME [FLAGS…]: one timed run of stemmaster on NAME.yaml.
master_once() {
	name=$1
	shift
	timed "$name" "$work/stemmaster" master -s "$work/$name.yaml" -o "$work/$name" --json "$@"
}

stems "$work/stems$nstems-$secs" "$secs" "$nstems"
sd="$work/stems$nstems-$secs"
if [ -n "${PREPARE:-}" ]; then # only make the stems (with SCALE, every set)
	if [ -n "${SCALE:-}" ]; then
		stems "$work/stems4-$secs" "$secs" 4
		stems "$work/stems16-$secs" "$secs" 16
		stems "$work/stems$nstems-1200" 1200 "$nstems"
	fi
	exit 0
fi
# The ffmpeg graph: per stem the same four bands and compressor (threshold
# -18 dBFS = 0.1259, knee 6 dB = 2.0), then the sum and the master chain.
inputs=""
graph=""
mix=""
k=0
while [ "$k" -lt "$nstems" ]; do
	inputs="$inputs -max_size 65536 -i $sd/s$k.wav"
	graph="$graph[$k:a]highpass=f=40,equalizer=f=250:t=q:w=1:g=1,equalizer=f=1000:t=q:w=1:g=-2,highshelf=f=8000:g=1.5,acompressor=threshold=0.1259:ratio=3:attack=10:release=120:knee=2[s$k];"
	mix="$mix[s$k]"
	k=$((k + 1))
done
master_chain="${mix}amix=inputs=$nstems:normalize=0,lowshelf=f=100:g=1,acompressor=threshold=0.2512:ratio=1.5:attack=30:release=200:knee=2"
mkdir -p "$work/ff" "$work/sm" "$work/smnc"
session "$sd" "$nstems" >"$work/sm.yaml"
cp "$work/sm.yaml" "$work/smnc.yaml"
rm -f "$work/sm.times" "$work/smnc.times" "$work/ff.times" "$work/ff1.times" "$work/ff2.times"
# The three workflows take turns, run after run, so that a load that comes
# and goes on the machine falls on each alike.
i=0
while [ "$i" -lt "$runs" ]; do
	master_once sm
	master_once smnc --no-check
	# shellcheck disable=SC2086
	timed ff1 ffmpeg -hide_banner -nostats $inputs -filter_complex "$graph${master_chain},ebur128=peak=true" -f null -
	# The last summary holds the figures (ffmpeg prints one per graph instance).
	I=$(awk '/I:.*LUFS$/ {v=$2} END {print v}' "$work/ff1.err")
	gain=$(echo "-14 - ($I)" | bc -l)
	# shellcheck disable=SC2086
	timed ff2 ffmpeg -hide_banner -nostats -y $inputs -filter_complex \
		"$graph${master_chain},volume=${gain}dB,alimiter=limit=0.8913:attack=5:release=80:level=false,asplit=2[a][b];[b]aresample=44100:dither_method=triangular[c]" \
		-map "[a]" -c:a pcm_s24le "$work/ff/main.wav" -map "[c]" -c:a pcm_s16le "$work/ff/main-cd.wav"
	# The workflow is both graphs: wall and CPU add up, RSS is the larger.
	paste -d' ' "$work/ff1.times" "$work/ff2.times" | tail -n 1 |
		awk '{printf "%.2f %.2f %d\n", $1 + $4, $2 + $5, ($3 > $6 ? $3 : $6)}' >>"$work/ff.times"
	i=$((i + 1))
done

meter() { ffmpeg -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - 2>&1 | awk '/I:.*LUFS$/ {i=$2} /Peak:/ {p=$2} END {printf "I %s LUFS, TP %s dBTP", i, p}'; }
echo "$nstems stems × ${secs} s, 48 kHz 24-bit; target -14 LUFS / -1 dBTP; $(nproc) cores; medians of $runs alternating runs"
echo "load at the end: $(uptime | sed 's/.*load average/load average/')"
echo "stemmaster main.wav:    $(meter "$work/sm/main.wav")"
echo "stemmaster main-cd.wav: $(meter "$work/sm/main-cd.wav")"
echo "ffmpeg main.wav:        $(meter "$work/ff/main.wav")"
echo "ffmpeg main-cd.wav:     $(meter "$work/ff/main-cd.wav")"
line "stemmaster master" sm "(with the stem checks)"
line "stemmaster master --no-check" smnc "(the same work as ffmpeg)"
line "ffmpeg measure + apply" ff "(tuned: -max_size 65536 per input)"
# round A B FIELD: per round, B's figure over A's; the median of those.
round() {
	paste -d' ' "$work/$1.times" "$work/$2.times" | awk -v f="$3" '{print $(f + 3) / $f}' | medianof
}
printf 'per-round ratio (ffmpeg / stemmaster), median: wall %.2fx with the checks, %.2fx without; CPU %.2fx, %.2fx\n' \
	"$(round sm ff 1)" "$(round smnc ff 1)" "$(round sm ff 2)" "$(round smnc ff 2)"
smt=$(median sm 1) snt=$(median smnc 1) fft=$(median ff 1)
printf 'ratio (ffmpeg / stemmaster) wall %.2fx with the checks, %.2fx without; CPU %.2fx, %.2fx\n' \
	"$(echo "$fft / $smt" | bc -l)" "$(echo "$fft / $snt" | bc -l)" \
	"$(echo "$(median ff 2) / $(median sm 2)" | bc -l)" "$(echo "$(median ff 2) / $(median smnc 2)" | bc -l)"

if [ -n "${SCALE:-}" ]; then
	for n in 4 16; do
		stems "$work/stems$n-$secs" "$secs" "$n"
		master "sm$n" "$work/stems$n-$secs" "$n"
		line "stemmaster master, $n stems" "sm$n" "($(printf '%.2f' "$(echo "$(median "sm$n" 1) / $smt" | bc -l)")× the $nstems-stem wall, $(printf '%.2f' "$(echo "$(median "sm$n" 3) / $(median sm 3)" | bc -l)")× its RSS)"
	done
	long=1200
	stems "$work/stems$nstems-$long" "$long" "$nstems"
	runs=1
	master smlong "$work/stems$nstems-$long" "$nstems"
	line "stemmaster master, $long s" smlong "($(printf '%.2f' "$(echo "$(median smlong 3) / $(median sm 3)" | bc -l)")× the ${secs} s RSS; goal ≤ 5 at 240 s)"
fi
