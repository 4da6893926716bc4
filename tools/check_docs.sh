#!/usr/bin/env bash
# The API reference (docs/Doxyfile) builds with zero Doxygen warnings: every function,
# parameter, return value, struct member, enum value and macro of include/iggy is documented.
# Usage: check_docs.sh OUT_DIR   (run from anywhere; HTML goes to OUT_DIR/html)
set -uo pipefail
out=${1:?usage: check_docs.sh OUT_DIR}
cd "$(dirname "$0")/.."
command -v doxygen >/dev/null || { echo "FAIL: doxygen is not installed (tools/install-deps.sh)"; exit 1; }
mkdir -p "$out"
log="$out/doxygen.log"
# The Doxyfile's own OUTPUT_DIRECTORY is replaced; everything else (WARN_AS_ERROR included) holds.
{ cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $out"; } | doxygen - >/dev/null 2>"$log"
rc=$?
n=$(grep -c . "$log")
if [ "$rc" -ne 0 ] || [ "$n" -ne 0 ]; then
  cat "$log"
  echo "FAIL: doxygen $(doxygen --version): exit $rc, $n lines of warnings"
  exit 1
fi
[ -s "$out/html/index.html" ] || { echo "FAIL: no $out/html/index.html"; exit 1; }
echo "api docs: doxygen $(doxygen --version), 0 warnings, $(ls "$out/html" | wc -l) HTML files"
