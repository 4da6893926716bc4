#!/usr/bin/env bash
# Installs the official Iggy SDK peers for the interop tests and bench/peers/compare.py into
# PEERS_DIR (under the build directory, never into the repository):
#   PEERS_DIR/venv               Python venv with PyPI apache-iggy (pinned in
#                                python/requirements.txt)
#   PEERS_DIR/go/iggy-go-peer    bench/peers/go built against the official Go SDK checkout that
#                                IGGY_GO_SDK names (bench/peers/go/build.sh); only when it is set
# Usage: setup.sh PEERS_DIR [all|python|go]   (default all)
# Exits non-zero with a FAIL line when a peer cannot be installed. The Go peer is skipped with a
# NOTE when IGGY_GO_SDK is unset (the Go module proxy refuses the SDK, docs/BENCHMARKING.md).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
peers=${1:?usage: setup.sh PEERS_DIR [all|python|go]}
which=${2:-all}
case "$which" in all | python | go) ;; *) echo "usage: setup.sh PEERS_DIR [all|python|go]" >&2; exit 2 ;; esac
mkdir -p "$peers"
peers=$(cd "$peers" && pwd)
python=${IGGY_INTEROP_PYTHON:-python3}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# ---------------------------------------------------------------- Python: PyPI apache-iggy
setup_python() {
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
}

# ---------------------------------------------------------------- Go: the official Go SDK
# From a local checkout named by IGGY_GO_SDK (e.g. extracted from the apache/iggy snapshot at
# cc269ef70, outside the repository): the Go module proxy refuses
# github.com/apache/iggy/foreign/go (403). The SDK's own dependencies come from the proxy.
setup_go() {
  if [ -z "${IGGY_GO_SDK:-}" ]; then
    echo "NOTE: Go SDK peer not built (IGGY_GO_SDK is not set; see docs/BENCHMARKING.md)"
    return 0
  fi
  echo "=== building bench/peers/go against IGGY_GO_SDK=$IGGY_GO_SDK"
  "$here/../../bench/peers/go/build.sh" "$peers/go" || fail "cannot build the Go SDK peer"
}

case "$which" in
  all) setup_python; setup_go ;;
  python) setup_python ;;
  go) setup_go ;;
esac
echo "interop peers ready in $peers"
