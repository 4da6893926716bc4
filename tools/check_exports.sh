#!/usr/bin/env bash
# What each library exports:
#   the shared library: exactly the functions the public headers declare IGGY_EXTERN (the mock's
#     header, include/iggy/mock.h, belongs to the mock library, not to libiggy);
#   the static library (optional 3rd argument): only iggy_-prefixed global symbols, none of
#     them the mock's;
#   the mock library (optional 4th argument): only iggy_mock_-prefixed global symbols.
# Usage: check_exports.sh LIBIGGY_SO INCLUDE_DIR [LIBIGGY_A [LIBIGGY_MOCK_A]]
set -euo pipefail
lib=$1
include_dir=$2
static=${3:-}
mock=${4:-}
declared=$(ls "$include_dir"/iggy/*.h | grep -v -e /export.h -e /mock.h | xargs cat | tr '\n' ' ' |
  grep -oE 'IGGY_EXTERN[^;(]*\(' | grep -oE '[a-z_0-9]+ *\($' | tr -d ' (' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sort -u)
status=0
extra=$(comm -13 <(echo "$declared") <(echo "$exported"))
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
[ -z "$extra" ] || { echo "exported but not declared IGGY_EXTERN:"; echo "$extra"; status=1; }
[ -z "$missing" ] || { echo "declared IGGY_EXTERN but not exported:"; echo "$missing"; status=1; }
echo "shared: $(echo "$exported" | wc -l) symbols exported, $(echo "$declared" | wc -l) declared"

# Globals defined in an archive; names starting with "__" are the compiler's (sanitizer
# instrumentation such as __odr_asan.*), not ours.
globals() { nm -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 {print $3}' | grep -v '^__' | sort -u; }
if [ -n "$static" ]; then
  bad=$(globals "$static" | grep -v '^iggy_' || true)
  mocks=$(globals "$static" | grep '^iggy_mock_' || true)
  [ -z "$bad" ] || { echo "static library: globals outside the iggy_ namespace:"; echo "$bad"; status=1; }
  [ -z "$mocks" ] || { echo "static library: carries the mock:"; echo "$mocks" | head; status=1; }
  echo "static: $(globals "$static" | wc -l) globals, all iggy_"
fi
if [ -n "$mock" ]; then
  bad=$(globals "$mock" | grep -v '^iggy_mock_' || true)
  [ -z "$bad" ] || { echo "mock library: globals outside iggy_mock_:"; echo "$bad"; status=1; }
  echo "mock: $(globals "$mock" | wc -l) globals, all iggy_mock_"
fi
exit $status
