#!/usr/bin/env bash
# bench/worst.sh — synthetic worst cases for the true-peak limiter and the
# loudness target (a 20 Hz sine and squares at 0 dBFS, clipped noise,
# inter-sample-peak bursts, a fade from silence, a 1-sample click), each
# mastered to −14, −9 and −23 LUFS at −1 dBTP at 44.1, 48 and 96 kHz into
# 24- and 16-bit WAV, every file read by ffmpeg (ebur128, its resampler at
# 4× and 8×), stemmaster's meter at 4× and 8× and a 16× reference;
# bench/cmd/worst states the tolerances and exits 1 past them.
#
#   bench/worst.sh [flags of bench/cmd/worst]     needs go, ffmpeg
# STEMMASTER=/path/to/stemmaster uses a binary already built instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v ffmpeg >/dev/null || { echo "worst.sh: ffmpeg not found" >&2; exit 1; }
go run ./bench/cmd/worst ${STEMMASTER:+-stemmaster "$STEMMASTER"} "$@"
