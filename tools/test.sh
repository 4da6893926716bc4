#!/usr/bin/env bash
# Builds and runs the test suites. With no argument: every variant CI runs.
#   default   gcc, mimalloc, pool on, plus the interop suite against the official Python SDK and
#             the installed package built against three ways (tests/consumer/run.sh)
#   asan      ASan + UBSan, pool off, system allocator
#   tsan      ThreadSanitizer, system allocator
#   valgrind  pool off, system allocator, every test under valgrind memcheck
#   clang     clang, -Werror, pool on
#   soak      (only when named) builds and runs the `soak` target: tests/soak/soak.c
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh # a no-op when everything is installed
variants=("$@")
[ "${#variants[@]}" -gt 0 ] || variants=(default clang asan tsan valgrind)
jobs=$(nproc 2>/dev/null || echo 2)

run_variant() {
  local v=$1 dir="build-test-$1" cc=gcc
  if [ "$v" = soak ]; then # not a test variant: the long soak (IGGY_SOAK_SECONDS, default 600)
    CC=gcc cmake -S . -B build-test-soak -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build-test-soak -j "$jobs" --target soak
    return
  fi
  local args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  case "$v" in
    default) args+=(-DIGGY_INTEROP=ON) ;;
    clang) cc=clang ;;
    asan) args+=(-DIGGY_SANITIZE=address,undefined -DIGGY_POOL=OFF -DIGGY_MIMALLOC=OFF
                 -DCMAKE_BUILD_TYPE=Debug) ;;
    tsan) cc=clang; args+=(-DIGGY_SANITIZE=thread -DIGGY_MIMALLOC=OFF) ;;
    valgrind) args+=(-DIGGY_POOL=OFF -DIGGY_MIMALLOC=OFF -DCMAKE_BUILD_TYPE=Debug
                     "-DIGGY_TEST_WRAPPER=valgrind;--error-exitcode=99;--leak-check=full;--errors-for-leak-kinds=definite,indirect;--show-leak-kinds=definite,indirect;--track-fds=no;-q") ;;
    *) echo "unknown variant: $v" >&2; return 2 ;;
  esac
  # The installed package, built against three ways (tests/consumer/run.sh): default only.
  [ "$v" != default ] || args+=(-DIGGY_PACKAGE_TEST=ON)
  # IGGY_TEST_LIGHT=1: volume tests (check_messages' round trip) scale their message count
  # down under sanitizers and valgrind; default and clang run the full volume.
  local light=0
  case "$v" in asan | tsan | valgrind) light=1 ;; esac
  echo "=== variant $v"
  CC=$cc cmake -S . -B "$dir" "${args[@]}" >/dev/null
  cmake --build "$dir" -j "$jobs"
  # CK_FORK=no keeps each suite in one process so valgrind and sanitizers see it all.
  if [ "$v" = default ]; then
    # Show each golden vector as it is exercised (lines "N: vector <name>").
    IGGY_TEST_LIGHT=$light CK_FORK=no ctest --test-dir "$dir" --output-on-failure -V -j "$jobs" \
      >"$dir/ctest.log" 2>&1 ||
      { tail -n 200 "$dir/ctest.log"; return 1; }
    names=$(grep -E '^[0-9]+: vector [a-z0-9_]+$' "$dir/ctest.log" | sed 's/^[0-9]*: vector //' |
      sort -u)
    echo "golden vectors exercised ($(echo "$names" | wc -l)):"
    echo "$names" | tr '\n' ' ' | fold -s -w 100
    echo
    grep -E 'tests passed|tests failed|Test +#' "$dir/ctest.log"
  else
    IGGY_TEST_LIGHT=$light CK_FORK=no ctest --test-dir "$dir" --output-on-failure -j "$jobs"
  fi
}

for v in "${variants[@]}"; do
  run_variant "$v"
done
echo "=== all variants passed: ${variants[*]}"
