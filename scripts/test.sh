#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs every test of
# stemmaster: formatting, vet, staticcheck, unit and conformance tests
# (including the ffmpeg/sox comparisons), and the browser test.
#
#   bash scripts/test.sh
#
# As root it installs the Debian packages the tests compare against (ffmpeg,
# sox, chromium) and the npm package that drives the browser; as another user
# it uses what is there, and tests that need a missing tool skip with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v sox >/dev/null || need+=(sox libsox-fmt-all)
command -v chromium >/dev/null || need+=(chromium)
command -v node >/dev/null || need+=(nodejs npm)
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

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change: $bad"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== CGO_ENABLED=0 build"
CGO_ENABLED=0 go build -o /dev/null ./cmd/stemmaster

echo "== go test"
go test -count=1 -timeout 20m ./...
