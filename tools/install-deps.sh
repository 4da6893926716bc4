#!/usr/bin/env bash
# Installs everything libiggy needs to build and test on Debian/Ubuntu: every variant of
# tools/test.sh, .ci/run and the demo. apt-get runs with --no-install-recommends, so every
# package a step uses is named here, Recommends included (clang's sanitizer runtimes are only
# a Recommends of clang). Afterwards each toolchain a variant uses is probed, so a missing
# runtime fails here with its name instead of as a link error deep inside a test run.
set -euo pipefail
# Optional peers are not installed here: the official Go SDK (for interop_go and
# bench/peers/compare.py) is a local checkout named by IGGY_GO_SDK, which CI may export after
# fetching it (docs/BENCHMARKING.md); without it those parts print SKIPPED. iggy-bench comes
# from IGGY_BENCH_BIN the same way. The Python SDK and matplotlib come from PyPI at test time.
pkgs=(build-essential cmake ninja-build pkg-config git ca-certificates
      clang libclang-rt-dev clang-format valgrind
      python3 python3-venv
      libmimalloc-dev libzstd-dev libsnappy-dev liblz4-dev check libsubunit-dev libxxhash-dev
      libssl-dev openssl
      doxygen)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Probe the sanitizer toolchains tools/test.sh uses (asan: gcc; tsan: clang).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int main(void) { return 0; }\n' >"$probe/p.c"
probe_cc() { # compiler, flags...
  local cc=$1
  shift
  "$cc" "$@" "$probe/p.c" -o "$probe/p" 2>"$probe/err" && "$probe/p" ||
    { echo "install-deps: '$cc $*' cannot build and run a program:" >&2; cat "$probe/err" >&2
      exit 1; }
}
probe_cc gcc -fsanitize=address,undefined
probe_cc clang -fsanitize=thread
probe_cc clang -fsanitize=address,undefined
# tools/test.sh fuzz: libFuzzer comes with clang's runtimes (libclang-rt-dev, i.e.
# libclang-rt-14-dev on bookworm: libclang_rt.fuzzer-x86_64.a); a target must link and run.
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/f.c"
clang -fsanitize=fuzzer,address,undefined "$probe/f.c" -o "$probe/f" 2>"$probe/err" &&
  "$probe/f" -runs=1 >"$probe/out" 2>&1 ||
  { echo "install-deps: clang cannot build and run a libFuzzer target (libclang-rt-dev):" >&2
    cat "$probe/err" "$probe/out" >&2 2>/dev/null; exit 1; }
