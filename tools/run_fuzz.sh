#!/usr/bin/env bash
# Runs the libFuzzer targets of an IGGY_FUZZ=ON build (tools/test.sh fuzz; docs/FUZZING.md),
# each for IGGY_FUZZ_SECONDS (default 300) seconds, IGGY_FUZZ_JOBS (default: the cores) at a
# time. Each target starts from tests/fuzz/corpus/<t> and tests/fuzz/regressions/<t> (read
# only: what it finds goes to <build>/fuzz-work/<t>/corpus, kept between runs) and fails on
# any crash, sanitizer report, leak, input slower than IGGY_FUZZ_TIMEOUT seconds (default
# 10) or allocation above IGGY_FUZZ_MALLOC_MB MiB (default 64: more than any budget of the
# library at the input sizes libFuzzer tries). Prints execs/s and corpus sizes per target.
#   usage: tools/run_fuzz.sh <build-dir> [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: tools/run_fuzz.sh <build-dir> [target...]}
shift
secs=${IGGY_FUZZ_SECONDS:-300}
jobs=${IGGY_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
timeout=${IGGY_FUZZ_TIMEOUT:-10}
malloc_mb=${IGGY_FUZZ_MALLOC_MB:-64}
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do
    t=$(basename "$f" .c)
    targets+=("${t#fuzz_}")
  done
fi
work="$dir/fuzz-work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_one() {
  local t=$1 bin="$dir/bin/fuzz_$1" w="$work/$1"
  local inputs=(tests/fuzz/corpus/"$t")
  [ -d tests/fuzz/regressions/"$t" ] && inputs+=(tests/fuzz/regressions/"$t")
  mkdir -p "$w/corpus" "$w/artifacts"
  rm -f "$w"/artifacts/* "$w/rc"
  if [ ! -x "$bin" ]; then
    echo "run_fuzz: $bin missing (configure with -DIGGY_FUZZ=ON)" >"$w/log"
    echo 1 >"$w/rc"
    return
  fi
  local rc=0
  nice -n "${IGGY_FUZZ_NICE:-10}" "$bin" -max_total_time="$secs" -timeout="$timeout" \
    -malloc_limit_mb="$malloc_mb" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$w/artifacts/" "$w/corpus" "${inputs[@]}" >"$w/log" 2>&1 || rc=$?
  echo "$rc" >"$w/rc" # the exit status, whoever reaps the job
}

echo "fuzzing ${targets[*]}: ${secs} s each, ${jobs} at a time (logs in $work/<target>/log)"
status=0
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$t" &
done
wait
for t in "${targets[@]}"; do
  w="$work/$t"
  rc=$(cat "$w/rc" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/log" | tail -n 1)
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$w/log" | tail -n 1 || true)
  printf '%-14s %s  execs %s, %s/s, %s (new units kept: %s)\n' "$t" \
    "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
    "$(find "$w/corpus" -type f | wc -l)"
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "--- $t failed (exit $rc); last lines of $w/log:"
    grep -v -E '^#[0-9]+|^INFO:' "$w/log" | tail -n 40
    ls "$w"/artifacts/* 2>/dev/null | sed 's/^/    artifact: /' || true
    echo "    reproduce: $dir/bin/fuzz_$t <artifact>; keep it: docs/FUZZING.md (regressions)"
  fi
done
exit "$status"
