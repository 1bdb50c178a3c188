# bench/allon.sh — sourced by bench/stemaware.sh and bench/meters.sh: the
# engineer's chain with every processor on, as session YAML lines.

# allon_strip [de-esser] [multiband]: a stem's channel strip (the lines
# after its file and role); a non-empty first argument adds the de-esser,
# a non-empty second the multiband.
allon_strip() {
	echo "    eq: [{type: high_pass, freq_hz: 40, q: 0.707}, {type: peak, freq_hz: 250, gain_db: 1, q: 1}, {type: peak, freq_hz: 1000, gain_db: -2, q: 1}, {type: high_shelf, freq_hz: 8000, gain_db: 1.5, q: 0.707}, {type: peak, freq_hz: 3000, gain_db: 1, channel: mid}]"
	echo "    compressor: {threshold_db: -18, ratio: 3, attack_ms: 10, release_ms: 120, knee_db: 6}"
	[ -n "${1:-}" ] && echo "    de_esser: {freq_hz: 6000, threshold_db: -30, range_db: 6}"
	echo "    dynamic_eq: [{freq_hz: 400, threshold_db: -30, ratio: 3, range_db: 4, channel: side}]"
	[ -n "${2:-}" ] && echo "    multiband: {crossovers_hz: [120, 1000, 6000], bands: [{threshold_db: -24, ratio: 2}, {threshold_db: -24, ratio: 2}, {threshold_db: -24, ratio: 2}, {threshold_db: -24, ratio: 2}]}"
	echo "    width: 1.2"
}

# allon_master LIMITER LUFS: the master chain with the limiter's settings
# LIMITER (a YAML mapping) and the target LUFS at −1 dBTP.
allon_master() {
	cat <<E
master:
  eq: [{type: low_shelf, freq_hz: 100, gain_db: 1, q: 0.707}, {type: low_shelf, freq_hz: 120, gain_db: -2, channel: side}, {type: peak, freq_hz: 2500, gain_db: 1, channel: mid}]
  compressor: {threshold_db: -12, ratio: 1.5, attack_ms: 30, release_ms: 200, knee_db: 6, channel: mid}
  multiband: {crossovers_hz: [150, 3000], bands: [{}, {threshold_db: -20, ratio: 2}, {width: 1.2}]}
  width: 1.1
  saturation: {drive_db: 3, character: warm}
  limiter: $1
  target: {integrated_lufs: $2, true_peak_dbtp: -1}
E
}
