#!/usr/bin/env bash
# Builds iggy-go-peer (this directory) against a local checkout of the official Go SDK, named by
# IGGY_GO_SDK (the directory holding its go.mod, module github.com/apache/iggy/foreign/go). The
# Go module proxy refuses that module, so the sources are copied to OUT_DIR/src and the copy gets
# `replace github.com/apache/iggy/foreign/go => $IGGY_GO_SDK`; nothing machine-specific is
# committed. The SDK's own dependencies come from the Go module proxy (pinned by go.sum).
# Usage: IGGY_GO_SDK=/opt/iggy-go/foreign/go build.sh OUT_DIR   -> OUT_DIR/iggy-go-peer
# Exits 77 with a SKIPPED line when IGGY_GO_SDK is not set, 1 with a FAIL line on errors.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT_DIR}
if [ -z "${IGGY_GO_SDK:-}" ]; then
  echo "SKIPPED: the Go SDK peer needs IGGY_GO_SDK=<checkout of apache/iggy foreign/go>" \
    "(docs/BENCHMARKING.md)"
  exit 77
fi
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
sdk=$(cd "$IGGY_GO_SDK" 2>/dev/null && pwd) || fail "IGGY_GO_SDK=$IGGY_GO_SDK is not a directory"
grep -qx 'module github.com/apache/iggy/foreign/go' "$sdk/go.mod" 2>/dev/null ||
  fail "$sdk/go.mod does not declare module github.com/apache/iggy/foreign/go"
command -v go >/dev/null || fail "the go toolchain is not installed"
mkdir -p "$out/src"
out=$(cd "$out" && pwd)
exec 9>"$out/.build.lock"
flock 9 # interop and bench runs may build at once
for f in "$here"/go.mod "$here"/go.sum "$here"/*.go; do
  cmp -s "$f" "$out/src/$(basename "$f")" || cp "$f" "$out/src/"
done
cd "$out/src" || fail "cannot enter $out/src"
go mod edit -replace "github.com/apache/iggy/foreign/go=$sdk" ||
  fail "go mod edit -replace failed"
go build -trimpath -o "$out/iggy-go-peer.tmp" . ||
  fail "cannot build iggy-go-peer against $sdk (the SDK's dependencies come from the Go module" \
    "proxy; go.sum pins them)"
mv -f "$out/iggy-go-peer.tmp" "$out/iggy-go-peer"
echo "built $out/iggy-go-peer against $sdk"
