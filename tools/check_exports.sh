#!/usr/bin/env bash
# The shared library exports exactly the functions the public headers declare IGGY_EXTERN.
set -euo pipefail
lib=$1
include_dir=$2
declared=$(ls "$include_dir"/iggy/*.h | grep -v /export.h | xargs cat | tr '\n' ' ' | grep -oE 'IGGY_EXTERN[^;(]*\(' |
  grep -oE '[a-z_0-9]+ *\($' | tr -d ' (' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sort -u)
status=0
extra=$(comm -13 <(echo "$declared") <(echo "$exported"))
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
[ -z "$extra" ] || { echo "exported but not declared IGGY_EXTERN:"; echo "$extra"; status=1; }
[ -z "$missing" ] || { echo "declared IGGY_EXTERN but not exported:"; echo "$missing"; status=1; }
echo "exports: $(echo "$exported" | wc -l) symbols, declared: $(echo "$declared" | wc -l)"
exit $status
