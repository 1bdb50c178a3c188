#!/usr/bin/env bash
# bench/limiter.sh — stemmaster's true-peak limiter (dsp/limiter) against
# x42-dpl (Debian x42-plugins, hosted by ffmpeg's lv2 filter, true-peak mode
# on), same signals, same settings (ceiling −1 dBTP, 5 ms look-ahead, 80 ms
# release), both sides' figures printed in one run:
#   - SMPTE RP120 intermodulation, 60 Hz + 7 kHz 4:1, driven +3/+6/+12 dB
#     (and the same with 40 and 20 Hz low tones);
#   - THD+N of steady sines at 20, 40, 100 Hz and 1 kHz driven 0, +6 and
#     +12 dB;
#   - pink noise driven +12 dB: true peak and overs (frames above the
#     ceiling) by an ideal 16× reference (Kaiser-sinc, 48 zero crossings);
#   - the francium mix brought to −9 LUFS by each (drive found by
#     bisection): loudness, loudness range, 16× true peak and overs.
# Without ffmpeg's lv2 filter or x42-plugins only stemmaster's side prints.
#
#   bench/limiter.sh [-character transparent|punchy|dense] [-release MS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v go >/dev/null || { echo "limiter.sh: go not found" >&2; exit 1; }
command -v ffmpeg >/dev/null || echo "limiter.sh: ffmpeg not found, x42-dpl side skipped" >&2
go run ./bench/cmd/limiter "$@"
echo
for bass in 40 20; do
	go run ./bench/cmd/limiter -bass "$bass" -francium /nonexistent "$@" 2>/dev/null | grep IMD
done
