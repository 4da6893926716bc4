#!/usr/bin/env bash
# Installs the official Iggy SDK peers for the interop tests into PEERS_DIR (under the build
# directory, never into the repository):
#   PEERS_DIR/venv    Python venv with PyPI apache-iggy (pinned in python/requirements.txt)
#   PEERS_DIR/gopeer  the Go peer (tests/interop/go) built against the official Go SDK
# Usage: setup.sh PEERS_DIR
# Exits non-zero with a FAIL line when a peer cannot be installed: interop never skips.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
peers=${1:?usage: setup.sh PEERS_DIR}
mkdir -p "$peers"
peers=$(cd "$peers" && pwd)
python=${IGGY_INTEROP_PYTHON:-python3}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# ---------------------------------------------------------------- Python: PyPI apache-iggy
want=$(sed -n 's/^apache-iggy==//p' "$here/python/requirements.txt")
venv=$peers/venv
have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-iggy"))' \
  2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "=== installing apache-iggy==$want from PyPI into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv" ||
    fail "cannot create a Python venv with $python (Debian: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install --disable-pip-version-check -q \
    -r "$here/python/requirements.txt" ||
    fail "pip could not install apache-iggy==$want from PyPI (the official Python SDK); the" \
      "interop tests need it"
fi
# The wheel is pyo3 over the Rust SDK: its SBOM names the bundled iggy_binary_protocol crate,
# whose version is the protocol version. Only 0.11.x speaks to server 0.9.x.
proto=$("$venv/bin/python" - <<'EOF'
import glob, json, os, sys
import importlib.metadata as md
dist = md.distribution("apache-iggy")
for f in dist.files or []:
    if str(f).endswith(".cyclonedx.json"):
        doc = json.load(open(f.locate()))
        for c in doc.get("components", []):
            if c.get("name") == "iggy_binary_protocol":
                print(c.get("version", ""))
                sys.exit(0)
print("")
EOF
)
case "$proto" in
  0.11.*) echo "apache-iggy $want bundles iggy_binary_protocol $proto (protocol 0.11, server 0.9.x)" ;;
  "") fail "cannot tell which binary protocol apache-iggy $want speaks (no iggy_binary_protocol" \
        "in its SBOM); no PyPI release is known to speak protocol 0.11 / server 0.9.x" ;;
  *) fail "apache-iggy $want speaks binary protocol $proto, not 0.11 (server 0.9.x); no PyPI" \
       "release pinned here speaks the protocol libiggy targets" ;;
esac
"$venv/bin/python" -c 'import apache_iggy' || fail "apache_iggy does not import"

# ---------------------------------------------------------------- Go: the official Go SDK
command -v go >/dev/null || fail "the go toolchain is not installed (needed for the Go SDK peer)"
gover=$(go env GOVERSION | sed 's/^go//')
case "$gover" in
  1.2[5-9]* | 1.[3-9]* | [2-9].*) ;;
  *) fail "go $gover is too old: the Go SDK needs go 1.25 or newer" ;;
esac
sdk=$here/go/third_party/iggy-go
(cd "$sdk" && sha256sum --quiet -c ../iggy-go.sha256) ||
  fail "tests/interop/go/third_party/iggy-go differs from the pinned apache/iggy commit" \
    "(iggy-go.sha256)"
extra=$(cd "$sdk" && find . -type f | LC_ALL=C sort | diff - <(awk '{print $2}' \
  ../iggy-go.sha256) || true)
[ -z "$extra" ] || fail "unexpected files in third_party/iggy-go: $extra"

# Does the proxy serve the pinned pseudo-version by now? If so, the copy must match it.
pseudo=$(sed -n 's/^require github.com\/apache\/iggy\/foreign\/go //p' "$here/go/go.mod")
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
if (cd "$probe" && go mod init probe >/dev/null 2>&1 &&
  timeout 120 go mod download -json "github.com/apache/iggy/foreign/go@$pseudo" \
    >"$probe/dl.json" 2>"$probe/dl.err"); then
  dir=$("$venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Dir"])' \
    "$probe/dl.json")
  (cd "$dir" && sha256sum --quiet -c "$here/go/third_party/iggy-go.sha256") ||
    fail "the Go proxy's github.com/apache/iggy/foreign/go@$pseudo differs from third_party/iggy-go"
  echo "Go SDK $pseudo: the proxy serves it and it matches third_party/iggy-go"
else
  echo "NOTE: the Go module proxy does not serve github.com/apache/iggy/foreign/go@$pseudo" \
    "($(grep -ho '[0-9][0-9][0-9] Forbidden[^"]*\|not available\|[0-9][0-9][0-9] Not Found' \
    "$probe/dl.json" "$probe/dl.err" | head -n 1));" \
    "building the verified copy of that commit (tests/interop/go/third_party/README.md)"
fi
echo "=== building the Go peer (official Go SDK $pseudo)"
(cd "$here/go" && GOFLAGS=-mod=readonly go build -o "$peers/gopeer" .) ||
  fail "cannot build the Go peer: the Go SDK's dependencies must come from the Go module proxy"
echo "interop peers ready in $peers"
