#!/bin/sh
# bench/service.sh — the service end to end over loopback: upload N stems
# (default 8) × SECONDS (default 240), check them, render the session of
# bench/master.sh, download every output; print the time of each phase
# (for the upload, its answer and when the streams view has every preview),
# the server's CPU time, song-minutes rendered per core-hour, and the time
# from "render queued" to "done" beside the CLI's `master` on the same
# stems and session (the goal: within 20 %). "Queued → done" is the job's
# own record (created_at to its last update), the client following it by
# its event stream; the time the client saw is printed beside it.
#
# Usage: bench/service.sh [SECONDS] [STEMS]
# Needs: go, sox, curl, jq. Run from anywhere. WORK=DIR keeps the stems
# between runs (shared with bench/master.sh's WORK); STEMMASTER=BIN uses a
# binary already built; KEEP=1 keeps the server's directory (serve.log,
# where the render job logs its phases; the outputs; the CLI's report);
# RENDERS=N renders N times, each beside a CLI run, and compares medians.
# The server is `stemmaster serve` on a free port with SQLite and files in
# a temporary directory; it is stopped at the end.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh" # medianof
secs=${1:-240}
nstems=${2:-8}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
data=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	if [ -n "${KEEP:-}" ]; then echo "kept: $data" >&2; else rm -rf "$data"; fi
	[ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -n "${STEMMASTER:-}" ]; then
	cp "$STEMMASTER" "$work/stemmaster"
else
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/stemmaster" ./cmd/stemmaster)
fi
# The stems and the session: bench/master.sh makes them.
PREPARE=1 WORK="$work" STEMMASTER="$work/stemmaster" sh "$root/bench/master.sh" "$secs" "$nstems"
sd="$work/stems$nstems-$secs"

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l | xargs printf '%.2f'; }
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$pid/stat"; } # utime + stime, USER_HZ 100

port=$((20000 + $$ % 20000))
S=http://127.0.0.1:$port
"$work/stemmaster" serve --addr "127.0.0.1:$port" --data "$data" >"$data/serve.log" 2>&1 &
pid=$!
i=0
until curl -sf "$S/healthz" >/dev/null 2>&1 || curl -sf "$S/" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || { echo "server did not start:" >&2; tail "$data/serve.log" >&2; exit 1; }
	sleep 0.05
done

read -r ID TOKEN <<EOF
$(curl -sf -X POST -H 'Content-Type: application/json' -d '{}' "$S/api/projects" | jq -r '"\(.id) \(.token)"')
EOF
[ -n "$ID" ] && [ "$ID" != null ] || { echo "could not create a project" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"
P="$S/api/projects/$ID"

# wait JOB: follows the job's server-sent events (one connection: no
# polling process competes with the server for the cores) until it ends,
# then fails unless it is done.
wait_job() {
	curl -sfN -H "$AUTH" "$P/jobs/$1/events" | sed -n '/^event: end/q' || true
	st=$(curl -sf -H "$AUTH" "$P/jobs/$1" | jq -r .state)
	[ "$st" = done ] || { echo "job $1: $st: $(curl -s -H "$AUTH" "$P/jobs/$1")" >&2; exit 1; }
}

# span JOB: seconds from the job's creation to its last update (done), by
# the server's clock: what the job took whatever the client's latency.
span() {
	curl -sf -H "$AUTH" "$P/jobs/$1" | jq -r '"\(.created_at) \(.updated_at)"' | {
		read -r a b
		echo "$(date -d "$b" +%s.%N) - $(date -d "$a" +%s.%N)" | bc -l | xargs printf '%.2f'
	}
}

c0=$(cpu)
t0=$(now)
args=""
k=0
while [ "$k" -lt "$nstems" ]; do
	args="$args -F file=@$sd/s$k.wav"
	k=$((k + 1))
done
# shellcheck disable=SC2086
curl -sf -H "$AUTH" $args "$P/stems" >/dev/null
tup=$(since "$t0")
# The live mixer's previews are made after the upload is answered; the
# streams view answers once they are all there (what the page waits for).
curl -sf -H "$AUTH" "$P/streams" >/dev/null
tprev=$(since "$t0")

t1=$(now)
job=$(curl -sf -X POST -H "$AUTH" -H 'Content-Type: application/json' -d '{}' "$P/check" | jq -r .job)
wait_job "$job"
tcheck=$(since "$t1")

# The session of bench/master.sh (per stem 4 EQ bands and a compressor,
# master EQ, compressor and limiter to -14 LUFS / -1 dBTP, 24-bit and
# 16-bit 44.1 kHz outputs), by uploaded name.
{
	printf '{"stems": ['
	k=0
	while [ "$k" -lt "$nstems" ]; do
		[ "$k" -eq 0 ] || printf ','
		printf '{"file": "s%d.wav", "eq": [{"type": "high_pass", "freq_hz": 40, "q": 0.707}, {"type": "peak", "freq_hz": 250, "gain_db": 1, "q": 1}, {"type": "peak", "freq_hz": 1000, "gain_db": -2, "q": 1}, {"type": "high_shelf", "freq_hz": 8000, "gain_db": 1.5, "q": 0.707}], "compressor": {"threshold_db": -18, "ratio": 3, "attack_ms": 10, "release_ms": 120, "knee_db": 6}}' "$k"
		k=$((k + 1))
	done
	printf '], "master": {"eq": [{"type": "low_shelf", "freq_hz": 100, "gain_db": 1, "q": 0.707}], "compressor": {"threshold_db": -12, "ratio": 1.5, "attack_ms": 30, "release_ms": 200, "knee_db": 6}, "limiter": {"lookahead_ms": 5, "release_ms": 80}, "target": {"integrated_lufs": -14, "true_peak_dbtp": -1}},'
	printf ' "outputs": [{"format": "wav", "bit_depth": 24}, {"format": "wav", "bit_depth": 16, "sample_rate": 44100, "dither": "tpdf", "suffix": "cd"}]}\n'
} >"$data/session.json"
curl -sf -X PUT -H "$AUTH" -H 'Content-Type: application/json' "$P/session" --data-binary @"$data/session.json" >/dev/null ||
	{ echo "session refused:" >&2; curl -s -X PUT -H "$AUTH" -H 'Content-Type: application/json' "$P/session" --data-binary @"$data/session.json" >&2; exit 1; }

c2=$(cpu)
t2=$(now)
job=$(curl -sf -X POST -H "$AUTH" -H 'Content-Type: application/json' -d '{}' "$P/render" | jq -r .job)
wait_job "$job"
trender=$(since "$t2")
srender=$(span "$job")
crender=$(echo "$(cpu) - $c2" | bc -l)

t3=$(now)
curl -sf -H "$AUTH" -o "$data/outputs.zip" "$P/outputs.zip"
tdown=$(since "$t3")
total=$(since "$t0")
ctotal=$(echo "$(cpu) - $c0" | bc -l)

# The CLI on the same stems and session (the session file names the stems
# by path).
sed "s|\"file\": \"s|\"file\": \"$sd/s|g" "$data/session.json" >"$data/cli.json"
mkdir -p "$data/cli"
s=$(now)
"$work/stemmaster" master -s "$data/cli.json" -o "$data/cli" --json >"$data/cli.out" 2>&1 || true
tcli=$(since "$s")

# RENDERS=N renders N-1 more times, each beside a CLI run, so the last
# line compares medians (a shared machine's load moves both alike).
rl="$srender"
cl="$tcli"
k=1
while [ "$k" -lt "${RENDERS:-1}" ]; do
	s=$(now)
	"$work/stemmaster" master -s "$data/cli.json" -o "$data/cli" --json >"$data/cli.out" 2>&1 || true
	cl="$cl $(since "$s")"
	job=$(curl -sf -X POST -H "$AUTH" -H 'Content-Type: application/json' -d '{}' "$P/render" | jq -r .job)
	wait_job "$job"
	rl="$rl $(span "$job")"
	k=$((k + 1))
done

minutes=$(echo "$secs / 60" | bc -l)
echo "$nstems stems × ${secs} s over loopback ($(du -sh "$sd" | cut -f1) of WAV); $(nproc) cores"
printf 'upload %6.2f s (previews ready at %.2f s)   check %6.2f s   render %6.2f s (%.2f CPU-s)   download %6.2f s (%s)\n' \
	"$tup" "$tprev" "$tcheck" "$trender" "$crender" "$tdown" "$(du -h "$data/outputs.zip" | cut -f1)"
printf 'end to end %6.2f s, server CPU %.2f s; %.1f song-minutes rendered per core-hour (render CPU)\n' \
	"$total" "$ctotal" "$(echo "$minutes * 3600 / $crender" | bc -l)"
printf 'render queued → done %.2f s (server clock; %.2f s seen by the client); CLI master %.2f s: %.0f %% of the CLI time (goal ≤ 120 %%)\n' \
	"$srender" "$trender" "$tcli" "$(echo "100 * $srender / $tcli" | bc -l)"
if [ "${RENDERS:-1}" -gt 1 ]; then
	mr=$(printf '%s\n' $rl | medianof)
	mc=$(printf '%s\n' $cl | medianof)
	printf 'medians of %d: render queued → done %.2f s (%s); CLI master %.2f s (%s): %.0f %% of the CLI time\n' \
		"$RENDERS" "$mr" "$rl" "$mc" "$cl" "$(echo "100 * $mr / $mc" | bc -l)"
fi
