# bench/lib.sh — the timing table the bench scripts share: timed runs under
# GNU time, medians of their figures and a table line. Sourced, not run:
#   . "$root/bench/lib.sh"
# A script sets before it calls these:
#   benchdir   the directory each timed command's files go in (NAME.t, NAME.times,
#              NAME.out, NAME.err)
#   benchfail  what a failing timed command does: "stop" prints the tail of its
#              stderr and exits 1 (for a bench whose later steps need the output);
#              "keep" records its figures and goes on (for a bench that reads the
#              output itself and says what it found)
#   benchwidth the width of a table line's label column

# timed NAME CMD…: runs CMD, appends "wall cpu rss_kib" to NAME.times.
timed() {
	name=$1
	shift
	if ! /usr/bin/time -f "%e %U %S %M" -o "$benchdir/$name.t" "$@" >"$benchdir/$name.out" 2>"$benchdir/$name.err" &&
		[ "$benchfail" = stop ]; then
		echo "$name failed:" >&2
		tail -n 5 "$benchdir/$name.err" >&2
		exit 1
	fi
	awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$benchdir/$name.t" >>"$benchdir/$name.times"
}

# medianof: the median of the numbers on stdin, one a line (the mean of the
# middle two when they are even in number).
medianof() {
	sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# median NAME FIELD: the median of one field (1 wall, 2 cpu, 3 rss) of NAME's runs.
median() {
	cut -d' ' -f"$2" "$benchdir/$1.times" | medianof
}

# line LABEL NAME NOTE: one line of the table.
line() {
	printf '%-*s %6.2f s wall %6.2f CPU-s %5d MB peak RSS   %s\n' "$benchwidth" "$1" "$(median "$2" 1)" "$(median "$2" 2)" \
		$(($(median "$2" 3) / 1024)) "$3"
}
