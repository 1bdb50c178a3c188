#!/usr/bin/env bash
# scripts/scaleout.sh — run stemmaster's scaled-out layout on this machine:
# a private PostgreSQL (the Debian package's server binaries), a local S3
# (versitygw, posix backend), `stemmaster migrate`, SERVE web front ends
# (`serve --no-work`) and WORKERS job workers (`worker`), all on 127.0.0.1.
#
#   bash scripts/scaleout.sh                 # 2 serve + 3 workers; Ctrl-C stops all
#   SERVE=2 WORKERS=1 bash scripts/scaleout.sh
#
# Front ends listen on 127.0.0.1:8080, :8081, …; each worker serves /healthz,
# /readyz and /metrics on 127.0.0.1:9091, :9092, …; River's job UI is at
# http://127.0.0.1:8080/admin/jobs/ (user any, password $ADMIN_TOKEN, at
# least 16 characters; default a random one, printed). Everything lives in
# DIR (default a new temporary directory, removed at the end unless
# KEEP=1): the database, the bucket,
# each process's log.
#
# SERVE_FLAGS adds flags to every serve (e.g. "--creates-per-minute 1000"
# for a load test from one address).
#
# S3_PUBLIC, when set, is the address the clients reach the store at
# (--blobs' public_endpoint): the download links are signed against it and
# the page sends browsers straight to the store. S3_PUBLIC=http://localhost:7070
# stands for an ingress in front of an internal store: the same versitygw
# under another host name than the servers use.
#
# DETACH=1 starts everything and returns, writing DIR/env (SCALEOUT_DIR,
# SCALEOUT_WEB: the front ends' URLs, space-separated) and DIR/stop (a
# script that stops it all); bench/scaleout.sh uses this.
#
# Needs: go, the postgresql package (initdb, postgres), and versitygw (built
# with `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0` when
# missing). As root the database runs as the postgres user.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
SERVE=${SERVE:-2}
WORKERS=${WORKERS:-3}
WEB_PORT=${WEB_PORT:-8080}
METRICS_PORT=${METRICS_PORT:-9091}
PG_PORT=${PG_PORT:-55432}
S3_PORT=${S3_PORT:-7070}
ADMIN_TOKEN=${ADMIN_TOKEN:-$(od -An -N16 -tx1 /dev/urandom | tr -d " \n")}
dir=${DIR:-$(mktemp -d /tmp/stemmaster-scaleout.XXXXXX)}
mkdir -p "$dir"
chmod 755 "$dir"

pgbin=${STEMMASTER_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
	echo "scaleout: PostgreSQL server binaries not found (install the postgresql package)" >&2
	exit 1
fi
vgw=${STEMMASTER_VERSITYGW:-$(command -v versitygw || echo "$(go env GOPATH)/bin/versitygw")}
if [ ! -x "$vgw" ]; then
	echo "scaleout: building versitygw v1.8.0"
	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
	vgw="$(go env GOPATH)/bin/versitygw"
fi
bin=${STEMMASTER:-$dir/stemmaster}
if [ -z "${STEMMASTER:-}" ]; then
	(cd "$root" && go build -o "$bin" ./cmd/stemmaster)
fi

# The database runs as postgres when we are root (PostgreSQL refuses root);
# setpriv execs, so $! is the server itself and signals reach it.
as_pg() {
	if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi
}

pids=()
pgdata="$dir/pg"
stop_pg() {
	[ -f "$pgdata/postmaster.pid" ] && as_pg "$pgbin/pg_ctl" -D "$pgdata" stop -m fast -w >/dev/null 2>&1 || true
}
stop_all() {
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${pids[$i]}" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$p" 2>/dev/null || true
	done
	stop_pg
	if [ -z "${KEEP:-}" ] && [ -z "${DIR:-}" ]; then rm -rf "$dir"; fi
}

wait_for() { # url, what[, -f: wait for a 2xx answer, not any answer]
	for _ in $(seq 150); do
		if curl ${3:-} -sS -o /dev/null "$1" 2>/dev/null; then return 0; fi
		sleep 0.2
	done
	echo "scaleout: $2 did not answer${3:+ ready} at $1; see $dir/*.log" >&2
	return 1
}

# PostgreSQL: a private cluster, fsync on (the real thing), 127.0.0.1 only,
# started and stopped with pg_ctl.
if [ ! -d "$pgdata" ]; then
	mkdir -p "$pgdata"
	[ "$(id -u)" = 0 ] && chown postgres: "$pgdata"
	as_pg "$pgbin/initdb" -D "$pgdata" -U stemmaster --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
fi
[ "$(id -u)" = 0 ] && touch "$dir/postgres.log" && chown postgres: "$dir/postgres.log"
as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$dir/postgres.log" -w start \
	-o "-p $PG_PORT -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
# Whatever happens from here on (an error, Ctrl-C), everything started is
# stopped; DETACH=1 disarms this once all is up.
trap 'exit 130' INT TERM
trap 'stop_all' EXIT
for _ in $(seq 100); do "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.2; done
"$pgbin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U stemmaster stemmaster 2>/dev/null || true
db="postgres://stemmaster@127.0.0.1:$PG_PORT/stemmaster?sslmode=disable"

# S3: versitygw with its posix backend; credentials by the standard variables.
export AWS_ACCESS_KEY_ID=stemmaster AWS_SECRET_ACCESS_KEY=stemmaster-secret AWS_REGION=us-east-1
mkdir -p "$dir/s3"
"$vgw" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --region "$AWS_REGION" \
	--port "127.0.0.1:$S3_PORT" --quiet posix "$dir/s3" >"$dir/versitygw.log" 2>&1 &
pids+=($!)
# Any HTTP answer will do (S3 answers 403 to an unsigned request).
wait_for "http://127.0.0.1:$S3_PORT/" "versitygw" || exit 1
blobs="s3://stemmaster?endpoint=http://127.0.0.1:$S3_PORT&region=$AWS_REGION&use_path_style=true"
if [ -n "${S3_PUBLIC:-}" ]; then
	blobs+="&public_endpoint=$S3_PUBLIC"
fi

# Schema and bucket once, then every process starts with --no-migrate.
"$bin" migrate --db "$db" --blobs "$blobs"

export STEMMASTER_ADMIN_TOKEN=$ADMIN_TOKEN
web=()
for ((i = 0; i < SERVE; i++)); do
	port=$((WEB_PORT + i))
	"$bin" serve --addr "127.0.0.1:$port" --data "$dir/serve$i" --db "$db" --blobs "$blobs" \
		--no-work --no-migrate --log-format json --log-level info ${SERVE_FLAGS:-} >"$dir/serve$i.log" 2>&1 &
	pids+=($!)
	web+=("http://127.0.0.1:$port")
done
for ((i = 0; i < WORKERS; i++)); do
	"$bin" worker --data "$dir/worker$i" --db "$db" --blobs "$blobs" --no-migrate \
		--metrics-addr "127.0.0.1:$((METRICS_PORT + i))" --log-format json >"$dir/worker$i.log" 2>&1 &
	pids+=($!)
done
for u in "${web[@]}"; do wait_for "$u/readyz" "serve" -f || exit 1; done
for ((i = 0; i < WORKERS; i++)); do
	wait_for "http://127.0.0.1:$((METRICS_PORT + i))/readyz" "worker $i" -f || exit 1
done

echo "scaleout: PostgreSQL on 127.0.0.1:$PG_PORT, S3 (versitygw) on 127.0.0.1:$S3_PORT"
echo "scaleout: $SERVE front ends: ${web[*]}"
echo "scaleout: $WORKERS workers; metrics on 127.0.0.1:$METRICS_PORT…$((METRICS_PORT + WORKERS - 1))"
echo "scaleout: job UI: ${web[0]}/admin/jobs/ (password: $ADMIN_TOKEN); logs in $dir"

if [ -n "${DETACH:-}" ]; then
	printf 'SCALEOUT_DIR=%q\nSCALEOUT_WEB=%q\n' "$dir" "${web[*]}" >"$dir/env"
	rev=()
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do rev+=("${pids[$i]}"); done
	{
		echo '#!/usr/bin/env bash'
		echo "# Stops the layout scripts/scaleout.sh started: workers and front ends first, the database last."
		echo "for p in ${rev[*]}; do kill -TERM \$p 2>/dev/null; for _ in \$(seq 50); do kill -0 \$p 2>/dev/null || break; sleep 0.2; done; kill -KILL \$p 2>/dev/null; done"
		if [ "$(id -u)" = 0 ]; then
			echo "setpriv --reuid=postgres --regid=postgres --init-groups $pgbin/pg_ctl -D $pgdata stop -m fast -w >/dev/null 2>&1; true"
		else
			echo "$pgbin/pg_ctl -D $pgdata stop -m fast -w >/dev/null 2>&1; true"
		fi
	} >"$dir/stop"
	chmod +x "$dir/stop"
	trap - EXIT INT TERM
	exit 0
fi
echo "scaleout: running; Ctrl-C stops everything"
wait -n "${pids[@]}" || true
echo "scaleout: a process exited; stopping" >&2
