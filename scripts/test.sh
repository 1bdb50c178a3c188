#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs every test of
# stemmaster: formatting, vet, staticcheck, unit and conformance tests
# (including the ffmpeg/sox comparisons), and the browser test.
#
#   bash scripts/test.sh
#
# As root it installs the Debian packages the tests compare against or run on
# (ffmpeg, sox, chromium, postgresql) and the npm package that drives the
# browser, and starts PostgreSQL for the scale-out tests; as another user
# it uses what is there, and tests that need a missing tool skip with a message.
# It builds the local S3 server the S3 tests run on (versitygw, a Go module,
# `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0`, about 1.5
# min of build the first time, cached after).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v sox >/dev/null || need+=(sox libsox-fmt-all)
command -v chromium >/dev/null || need+=(chromium fonts-liberation)
command -v node >/dev/null || need+=(nodejs npm)
command -v pg_lsclusters >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "== not root: tests that need ${need[*]} will skip"
  fi
fi
if [ -f e2e/package.json ] && command -v npm >/dev/null; then
  echo "== npm packages for the browser test"
  (cd e2e && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

# A local S3 (versitygw, posix backend) for the S3 blob tests; they start it
# themselves on 127.0.0.1 and skip when it is absent.
vgw_version=v1.8.0
vgw="$(go env GOPATH)/bin/versitygw"
if [ ! -x "$vgw" ] || ! go version -m "$vgw" 2>/dev/null | grep -q "github.com/versity/versitygw[[:space:]]*$vgw_version"; then
  echo "== building versitygw $vgw_version (local S3 for the tests)"
  go install "github.com/versity/versitygw/cmd/versitygw@$vgw_version" || echo "== versitygw build failed: S3 tests will skip"
fi
[ -x "$vgw" ] && export STEMMASTER_VERSITYGW="$vgw"

# PostgreSQL for the scale-out tests (web front end + separate workers).
pg=""
if [ "$(id -u)" = 0 ] && command -v pg_lsclusters >/dev/null; then
  read -r pgver pgname pgport _ < <(pg_lsclusters -h | head -1) || true
  if [ -n "${pgver:-}" ]; then
    pg_ctlcluster "$pgver" "$pgname" start 2>/dev/null || true
    su postgres -c "psql -p $pgport -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='stemmaster'\"" | grep -q 1 ||
      su postgres -c "psql -p $pgport -qc \"CREATE USER stemmaster PASSWORD 'stemmaster'\""
    for db in stemmaster_test_store stemmaster_test_scale stemmaster_test_jobs; do
      su postgres -c "dropdb -p $pgport --if-exists $db && createdb -p $pgport -O stemmaster $db"
    done
    pg="postgres://stemmaster:stemmaster@127.0.0.1:$pgport"
    echo "== PostgreSQL $pgver on port $pgport"
  fi
fi

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change: $bad"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== CGO_ENABLED=0 build"
CGO_ENABLED=0 go build -o /dev/null ./cmd/stemmaster

# The CLI is shipped for Windows too, and no test runs there: vet its
# package and tests for Windows (type-checks every dependency, build tags
# included). About 4 CPU-minutes with an empty build cache, 1 s warm.
echo "== GOOS=windows go vet (the CLI)"
GOOS=windows go vet ./cmd/stemmaster/...

# go test runs two packages at a time on two cores, in the order named:
# the longest start first, so the short packages fill the other slot
# instead of delaying them. The browser tests (e2e) take the longest wall
# time but little CPU (they wait on the page playing in real time), so they
# start first; then the CLI's end-to-end tests and the check.
echo "== go test"
go test -count=1 -timeout 20m ./e2e ./cmd/stemmaster ./check ./...

# The service packages under the race detector (the fault suite and the
# slow-body test run above, without it).
echo "== go test -race (service packages)"
go test -race -short -count=1 ./store ./jobs ./server ./service ./ops ./internal/atomicfile ./internal/faultpoint

# The kernels' portable Go paths, as a machine without AVX2 (or another
# architecture) runs them: the same tests and golden hashes must pass.
echo "== go test -tags purego (kernels' portable paths)"
go test -count=1 -tags purego ./dsp/... ./loudness/ ./audio/... ./engine/

if [ -n "$pg" ]; then
  echo "== go test on PostgreSQL (store, web front end + workers)"
  STEMMASTER_TEST_POSTGRES="$pg/stemmaster_test_store" go test -count=1 ./store
  # ScaleOut: renders on two workers; ScaleOutOutOfOrder: a slow worker
  # finishes an older render after a newer one, and checks stems that
  # change meanwhile; S3Flow: the whole flow with blobs on S3 (versitygw).
  STEMMASTER_TEST_POSTGRES="$pg/stemmaster_test_scale" go test -count=1 -run 'ScaleOut|S3Flow' ./cmd/stemmaster
  # Two workers on one PostgreSQL: renders finishing out of order, stale
  # checks. No error, answer or log line of these runs may show the
  # database password.
  log=$(mktemp)
  STEMMASTER_TEST_POSTGRES="$pg/stemmaster_test_jobs" go test -count=1 -v -run 'OutOfOrder|StaleCheck|Password' ./jobs ./service 2>&1 | tee "$log" | tail -3
  if grep -q "stemmaster:stemmaster@" "$log"; then echo "the database password appears in the test log"; exit 1; fi
  rm -f "$log"
else
  echo "== PostgreSQL tests skipped (not root or no PostgreSQL)"
fi
