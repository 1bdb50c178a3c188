#!/bin/sh
# bench/check.sh — time `stemmaster check --mix` on a synthetic delivery of
# 8 stems × 240 s (48 kHz, 24-bit stereo) plus their unity-sum mix against
# the nearest work ffmpeg does, run the way its best users run it, and
# print wall time, CPU time (user + system) and peak RSS of each, their
# ratios and the machine's load. The budget is 10 s on the 2-core build
# machine, with memory that does not grow with the stems' length (the
# check streams).
#
#   stemmaster: `stemmaster check --json --mix mix.wav stem*.wav` (every
#               check: formats, levels, true peak, DC, clipping, the fit of
#               the stems to the mix and its diagnosis).
#   ffmpeg:     one graph over the nine files, each input with
#               `-max_size 65536` (the WAV demuxer's default 4096-byte
#               packets make every filter run on 682-frame blocks): per
#               file ebur128 with true peak and astats (DC, peaks, flat runs
#               samples), and the stems summed minus the mix (amix
#               normalize=0 with the mix inverted) through astats — the
#               meters and the null, without the alignment, the fit or any
#               diagnosis.
# The two run alternately (stemmaster, ffmpeg, stemmaster …) so that load
# from other work falls on both alike; `uptime` is printed before and
# after, since the ratio is only as good as the load was steady.
#
# Usage: bench/check.sh [SECONDS]   (default 240); RUNS=N runs of each
# (default 3), medians printed.
# Needs: go, sox, ffmpeg, GNU time (/usr/bin/time, Debian package `time`).
# Run from anywhere. STEMMASTER=/path/to/stemmaster uses a binary already
# built instead; WORK=DIR keeps the delivery in DIR between runs (made only
# when missing).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-240}
runs=${RUNS:-3}
for t in sox ffmpeg /usr/bin/time; do command -v $t >/dev/null || { echo "check.sh: $t not found" >&2; exit 1; }; done
if [ -n "${WORK:-}" ]; then
	work=$WORK
	mkdir -p "$work"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT INT TERM
else
	work=$(mktemp -d)
	tmp=$work
	trap 'rm -rf "$work"' EXIT INT TERM
fi
d=$work/delivery$secs
mkdir -p "$d"

if [ -n "${STEMMASTER:-}" ]; then
	cp "$STEMMASTER" "$tmp/stemmaster"
else
	(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/stemmaster" ./cmd/stemmaster)
fi

# Eight different stems: noise shaped by tremolo and filters (transients and
# bands of their own, so alignment has material), each at its own level.
# Brown noise is a random walk: over 240 s its mean wanders to 0.5 % of full
# scale (−46 dBFS) in some draws, a true dc_offset on the stem and the mix,
# so the low-passed one is high-passed at 20 Hz as a DAW's bass track would
# be (its mean then stays under −100 dBFS); the other is band-passed.
if [ ! -f "$d/mix.wav" ]; then
	i=0
	mixargs=""
	for spec in \
		"pinknoise 0.08 tremolo 2 90 highpass 2000" \
		"brownnoise 0.5 tremolo 1 60 lowpass 200 highpass 20" \
		"pinknoise 0.12 tremolo 0.5 40 bandpass 1000 2q" \
		"whitenoise 0.02 tremolo 4 95 highpass 6000" \
		"pinknoise 0.1 tremolo 0.25 50 lowpass 3000" \
		"pinknoise 0.15 tremolo 3 70 bandpass 400 1q" \
		"brownnoise 0.3 tremolo 0.7 30 bandpass 150 1q" \
		"pinknoise 0.08 tremolo 6 80 bandpass 3000 1q"; do
		i=$((i + 1))
		f="$d/stem$i.wav"
		set -- $spec
		noise=$1 vol=$2
		shift 2
		# Independent noise per channel, turned down before the filters.
		sox -n -r 48000 -c 2 -b 24 "$f" synth "$secs" "$noise" "$noise" vol "$vol" "$@"
		mixargs="$mixargs -v 1 $f"
	done
	# shellcheck disable=SC2086
	sox -m $mixargs -b 24 "$d/mix.wav"
fi

# The ffmpeg graph: inputs 0…7 the stems, 8 the mix.
inputs=""
graph=""
sum=""
k=0
for f in "$d"/stem?.wav "$d/mix.wav"; do
	inputs="$inputs -max_size 65536 -i $f"
	graph="$graph[$k:a]asplit=2[m$k][s$k];[m$k]ebur128=peak=true,astats=measure_overall=DC_offset+Peak_level+Flat_factor+Peak_count:measure_perchannel=none,anullsink;"
	if [ "$k" -eq 8 ]; then
		graph="$graph[s$k]volume=-1[s$k-];"
		sum="$sum[s$k-]"
	else
		sum="$sum[s$k]"
	fi
	k=$((k + 1))
done
graph="$graph${sum}amix=inputs=9:normalize=0,astats=measure_overall=RMS_level+Peak_level:measure_perchannel=none"

# A failed check still gives its figures; its findings below say what ran.
benchdir=$tmp benchfail=keep benchwidth=34
. "$root/bench/lib.sh"

load0=$(uptime)
i=0
while [ "$i" -lt "$runs" ]; do
	timed sm "$tmp/stemmaster" check --json --mix "$d/mix.wav" "$d"/stem?.wav
	# shellcheck disable=SC2086
	timed ff ffmpeg -hide_banner -nostats $inputs -filter_complex "$graph" -f null -
	i=$((i + 1))
done
load1=$(uptime)

echo "check: 8 stems × ${secs} s + mix, 48 kHz 24-bit stereo ($(du -sh "$d" | cut -f1) of WAV); $(nproc) cores; medians of $runs alternating runs"
echo "load before: $load0"
echo "load after:  $load1"
line "stemmaster check --mix" sm "(every check, the fit and its diagnosis)"
line "ffmpeg ebur128+astats, null" ff "(tuned: -max_size 65536 per input; meters and the null only)"
printf 'ratio (ffmpeg / stemmaster): wall %.2fx, CPU %.2fx\n' \
	"$(echo "$(median ff 1) / $(median sm 1)" | bc -l)" "$(echo "$(median ff 2) / $(median sm 2)" | bc -l)"
# The null ffmpeg reads (the last astats: the stems' sum minus the mix) and
# the findings, to see that both ran to the end (a clean set: no finding
# but infos expected, and a null at the noise floor).
echo "ffmpeg null: $(grep -E 'RMS level dB' "$tmp/ff.err" | tail -n 1 | sed 's/.*RMS level dB: */RMS /') dBFS"
codes=$(grep -o '"code":"[a-z_]*"' "$tmp/sm.out" | sort | uniq -c | tr '\n' ' ')
echo "stemmaster findings: ${codes:-none}; fitted residual $(grep -o '"fitted_residual_db":[-0-9.e+]*' "$tmp/sm.out" | head -n 1 | cut -d: -f2) dB"
