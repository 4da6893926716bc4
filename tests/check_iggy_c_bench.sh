#!/usr/bin/env bash
# iggy-c-bench smoke test against a standalone iggy-mock-server (or the real server at
# IGGY_TEST_SERVER): every benchmark kind with tiny parameters, low-level and with -H, exits 0,
# prints its summary lines, and writes a report.json that parses, has iggy-bench's keys and
# snake_case enums, and the message counts the kind fixes. Then a -T run, a rate-limited run
# with warm-up, a range of message sizes, and the usage errors. No timing is asserted.
# Usage: check_iggy_c_bench.sh BIN_DIR
set -uo pipefail
bin=${1:?usage: check_iggy_c_bench.sh BIN_DIR}
bench=$bin/iggy-c-bench
command -v python3 >/dev/null || { echo "FAIL: python3 is needed to read report.json"; exit 1; }
[ -x "$bench" ] || { echo "FAIL: $bench is not built"; exit 1; }
tmp=$(mktemp -d)
. "$(dirname "$0")/support/mock_server.sh"
trap 'stop_mock_server; rm -rf "$tmp"' EXIT
if [ -n "${IGGY_TEST_SERVER:-}" ]; then
  addr=$IGGY_TEST_SERVER
else
  start_mock_server "$bin" "$tmp" || exit 1
  addr=$MOCK_ADDR
fi

failures=0
runs=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The report checker: check_report.py REPORT KIND ACTORS EXPECT MODE
#   MODE exact: total_messages == EXPECT; atleast: the producers' (or consumers') batches
#   reach EXPECT; any: no count check.
cat >"$tmp/check_report.py" <<'EOF'
import json, sys
path, kind, actors, expect, mode, groups = sys.argv[1:7]
r = json.load(open(path))
errors = []
def need(obj, keys, where):
    for k in keys:
        if k not in obj:
            errors.append(f"{where}: no '{k}'")
need(r, ["uuid", "timestamp", "server_stats", "hardware", "params", "group_metrics",
         "individual_metrics"], "report")
need(r["hardware"], ["identifier", "cpu_name", "cpu_cores", "total_memory_mb", "os_name",
                     "os_version"], "hardware")
p = r["params"]
need(p, ["benchmark_kind", "transport", "server_address", "remark", "extra_info", "gitref",
         "gitref_date", "messages_per_batch", "message_batches", "message_size", "producers",
         "consumers", "streams", "partitions", "consumer_groups", "rate_limit", "pretty_name",
         "bench_command", "params_identifier"], "params")
need(r["server_stats"], ["process_id", "cpu_usage", "memory_usage", "messages_count",
                         "iggy_server_version", "cache_metrics"], "server_stats")
if p.get("benchmark_kind") != kind:
    errors.append(f"benchmark_kind {p.get('benchmark_kind')} != {kind}")
if p.get("transport") != "tcp":
    errors.append("transport is not tcp")
if "libiggy" not in (p.get("remark") or "") or "libiggy" not in p.get("params_identifier", ""):
    errors.append("remark and params_identifier should name libiggy")
ind = r["individual_metrics"]
if len(ind) != int(actors):
    errors.append(f"{len(ind)} individual metrics, want {actors}")
for m in ind:
    need(m, ["summary", "throughput_mb_ts", "throughput_msg_ts", "latency_ts"], "individual")
    s = m["summary"]
    need(s, ["benchmark_kind", "actor_kind", "actor_id", "total_time_secs",
             "total_user_data_bytes", "total_bytes", "total_messages", "total_message_batches",
             "throughput_megabytes_per_second", "throughput_messages_per_second",
             "p50_latency_ms", "p90_latency_ms", "p95_latency_ms", "p99_latency_ms",
             "p999_latency_ms", "p9999_latency_ms", "avg_latency_ms", "median_latency_ms",
             "min_latency_ms", "max_latency_ms", "std_dev_latency_ms"], "individual summary")
    if s.get("actor_kind") not in ("producer", "consumer", "producing_consumer"):
        errors.append(f"actor_kind {s.get('actor_kind')}")
    if "points" not in m["latency_ts"]:
        errors.append("latency_ts has no points")
kinds = [g["summary"]["kind"] for g in r["group_metrics"]]
if kinds != groups.split(","):
    errors.append(f"group kinds {kinds}, want {groups}")
for g in r["group_metrics"]:
    need(g, ["summary", "avg_throughput_mb_ts", "avg_throughput_msg_ts", "avg_latency_ts"], "group")
    need(g["summary"], ["total_throughput_megabytes_per_second",
                        "total_throughput_messages_per_second",
                        "average_throughput_megabytes_per_second", "average_p50_latency_ms",
                        "average_p9999_latency_ms", "average_latency_ms",
                        "average_median_latency_ms", "min_latency_ms", "max_latency_ms",
                        "std_dev_latency_ms"], "group summary")
total = sum(m["summary"]["total_messages"] for m in ind)
if mode == "exact" and total != int(expect):
    errors.append(f"total_messages {total}, want {expect}")
if mode.startswith("atleast-"):
    side = mode.split("-", 1)[1]
    batches = sum(m["summary"]["total_message_batches"] for m in ind
                  if m["summary"]["actor_kind"] == side)
    if batches < int(expect):
        errors.append(f"{side} batches {batches}, want at least {expect}")
if p["message_batches"] != sum(m["summary"]["total_message_batches"] for m in ind):
    errors.append("params.message_batches is not the sum of the actors' batches")
if errors:
    print("; ".join(errors))
    sys.exit(1)
EOF

# run NAME GROUPS ACTORS EXPECT MODE ARGS...: one benchmark with an output directory of its own.
run() {
  local name=$1 groups=$2 actors=$3 expect=$4 mode=$5
  shift 5
  local out=$tmp/out-$runs kind report
  runs=$((runs + 1))
  if ! "$bench" "$@" tcp --server-address "$addr" output -o "$out" >"$tmp/stdout" 2>"$tmp/stderr"; then
    fail "$name: iggy-c-bench $* exited non-zero: $(tail -n 3 "$tmp/stderr")"
    return
  fi
  kind=$(python3 -c "import json,glob; print(json.load(open(glob.glob('$out/*/report.json')[0]))['params']['benchmark_kind'])" 2>/dev/null)
  grep -q '^Benchmark: ' "$tmp/stdout" || fail "$name: no 'Benchmark:' line"
  for g in ${groups//,/ }; do
    case $g in
    producers) prefix="Producers Results" ;;
    consumers) prefix="Consumers Results" ;;
    producers_and_consumers) prefix="Aggregate Results" ;;
    producing_consumers) prefix="Producing Consumer Results" ;;
    esac
    grep -q "^$prefix: Total throughput: .* MB/s, .* messages/s, average throughput per .*, p50 latency: .* ms, .*std dev: .* ms, total time: .* s$" "$tmp/stdout" ||
      fail "$name: no '$prefix' summary line: $(cat "$tmp/stdout")"
  done
  report=$(ls "$out"/*/report.json 2>/dev/null | head -n 1)
  if [ -z "$report" ]; then
    fail "$name: no report.json under $out"
    return
  fi
  python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$report" ||
    { fail "$name: report.json does not parse"; return; }
  local msg
  msg=$(python3 "$tmp/check_report.py" "$report" "$kind" "$actors" "$expect" "$mode" "$groups") ||
    fail "$name: $msg"
}

P=10 # messages per batch
b=5  # batches per actor
G=(-P $P -b $b -m 100)
for H in "" -H; do
  api=${H:-low-level}
  run "$api pp" producers 2 $((2 * b * P)) exact $H "${G[@]}" pp -p 2
  run "$api pc" consumers 2 $((2 * b * P)) exact $H "${G[@]}" pc -c 2
  # ppc scales -b by (p + c) / p for producers and (p + c) / c for consumers, as upstream
  run "$api ppc" producers,consumers,producers_and_consumers 4 $((4 * (b * 4 / 2) * P)) exact \
    $H "${G[@]}" ppc -p 2 -c 2
  run "$api bp" producers 2 $((2 * b)) atleast-producer $H "${G[@]}" bp -p 2
  run "$api bcg" consumers 2 $((2 * b)) atleast-consumer $H "${G[@]}" bcg -c 2
  run "$api bpcg" producers,consumers,producers_and_consumers 4 $((2 * b)) atleast-consumer \
    $H "${G[@]}" bpcg -p 2 -c 2
  # each producing consumer sends b batches and polls them back: 2 * b * P messages
  run "$api e2e" producing_consumers 2 $((2 * 2 * b * P)) exact $H "${G[@]}" e2e -p 2 -s 2
  run "$api e2ecg" producing_consumers 2 0 any $H "${G[@]}" e2ecg -p 2 -c 2
done
# -T splits the bytes per producer: 10 kB / 2 producers / (10 x 100 B) = 5 batches each
run "total data" producers 2 100 exact -P 10 -T 10KB -m 100 pp -p 2
run "rate limit and warm-up" producers 2 $((2 * b * P)) any -P 10 -b $b -m 100 -r 10MB -w 20ms \
  pp -p 2
run "message size range" producers 1 $((b * P)) exact -P 10 -b $b -m 50..150 pp -p 1

# usage errors (exit 2), a missing stream (exit 1), help and examples (exit 0)
expect_exit() { # WANT MESSAGE ARGS...
  local want=$1 text=$2 got
  shift 2
  "$bench" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  got=$?
  [ "$got" = "$want" ] || fail "iggy-c-bench $* exited $got, want $want"
  grep -q -- "$text" "$tmp/stdout" "$tmp/stderr" || fail "iggy-c-bench $*: no '$text' in its output"
}
expect_exit 0 "pinned-producer" --help
expect_exit 0 "EXAMPLES" examples
expect_exit 0 "EXAMPLES" e
expect_exit 0 "max-topic-size" pp --help
expect_exit 0 "server-address" pp tcp --help
expect_exit 0 "output-dir" pp tcp output --help
expect_exit 2 "not supported" pp quic
expect_exit 2 "cannot be used with" -b 5 -T 1MB pp tcp
expect_exit 2 "requires fixed batch size" -H -P 10..20 pp tcp
expect_exit 2 "must be equal to the number of producers" pp -p 2 -s 3 tcp
expect_exit 2 "number would be zero" pp -p 0 tcp
expect_exit 2 "requires a subcommand" pp
expect_exit 1 "is missing" -P 10 -b 1 pc -c 999 tcp --server-address "$addr"

echo "iggy-c-bench: $runs benchmark runs, $([ $failures -eq 0 ] && echo all passed || echo "$failures failure(s)")"
[ $failures -eq 0 ]
