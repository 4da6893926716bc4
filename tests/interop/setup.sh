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
# Only with IGGY_INTEROP_GO=1 (cmake -DIGGY_INTEROP_GO=ON): the Go module proxy reachable from
# this project's machines refuses github.com/apache/iggy/foreign/go (403), and the SDK comes
# from the registry or not at all.
if [ "${IGGY_INTEROP_GO:-0}" != 1 ]; then
  echo "NOTE: Go SDK peer not installed (IGGY_INTEROP_GO is off; see docs/COMPATIBILITY.md)"
  echo "interop peers ready in $peers"
  exit 0
fi
command -v go >/dev/null || fail "the go toolchain is not installed (needed for the Go SDK peer)"
pseudo=$(sed -n 's/^require github.com\/apache\/iggy\/foreign\/go //p' "$here/go/go.mod")
echo "=== building the Go peer against github.com/apache/iggy/foreign/go@$pseudo (Go module proxy)"
(cd "$here/go" && GOFLAGS=-mod=readonly go build -o "$peers/gopeer" .) ||
  fail "cannot build the Go peer: the Go module proxy must serve" \
    "github.com/apache/iggy/foreign/go@$pseudo (the official Go SDK at apache/iggy cc269ef70)"
echo "interop peers ready in $peers"
