#!/usr/bin/env bash
# iggycat admin flows against a standalone iggy-mock-server: create a stream and a topic,
# list them as text and JSON (validated with python3 -m json.tool), produce stdin lines and
# consume them back (-P / -C with -p, -k, -z, -o, -e), delete them, and check the exit codes
# and messages of failures and usage errors. Then: passwords and tokens never reach stdout or
# stderr; iggycat fails within seconds when nothing listens; and -C ends (with an error) on a
# server whose polls do not advance (tests/hostile_poll_server.py).
# Usage: check_iggycat.sh BIN_DIR   (the directory holding iggycat and iggy-mock-server)
set -uo pipefail

bin=${1:?usage: check_iggycat.sh BIN_DIR}
cat_bin=$bin/iggycat
mock_bin=$bin/iggy-mock-server
for b in "$cat_bin" "$mock_bin"; do
  if [ ! -x "$b" ]; then
    echo "SKIPPED: $b is not built"
    exit 77
  fi
done
command -v python3 >/dev/null || { echo "FAIL: python3 is needed to validate JSON"; exit 1; }

tmp=$(mktemp -d)
. "$(dirname "$0")/support/mock_server.sh"
extra_pids=() # servers started by the later sections
cleanup() {
  stop_mock_server
  for p in "${extra_pids[@]}"; do
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

start_mock_server "$bin" "$tmp" || exit 1
addr=$MOCK_ADDR
echo "mock server at $addr"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run EXPECTED_EXIT ARGS...: run iggycat, keep stdout/stderr in $out/$err.
run() {
  local want=$1
  shift
  "$cat_bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
  if [ "$got" != "$want" ]; then
    fail "iggycat $* exited $got, want $want; stdout: $out; stderr: $err"
    return 1
  fi
  return 0
}

contains() { # HAYSTACK NEEDLE WHAT
  case "$1" in
  *"$2"*) ;;
  *) fail "$3: '$2' not in: $1" ;;
  esac
}

valid_json() { # FILE WHAT
  python3 -m json.tool "$1" >/dev/null 2>"$tmp/json.err" || fail "$2: invalid JSON: $(cat "$tmp/json.err"): $(cat "$1")"
}

B=(-b "$addr" -u iggy -p iggy)
S="cat-stream-$$"
T="cat-topic"
W=$'we"ird\\name \xc3\xbc\ttab' # quote, backslash, non-ASCII and a tab: JSON escaping

# ---- help and usage errors
run 0 -h && contains "$out" "Usage: iggycat" "-h"
run 2
contains "$err" "no command given" "no arguments"
run 2 "${B[@]}" frobnicate
contains "$err" "unknown command" "unknown command"
run 2 "${B[@]}" stream rename x
run 2 "${B[@]}" topic create "$S" "$T" many
contains "$err" "PARTITIONS must be a number" "non-numeric partitions"
run 2 -X no.such.property=1 "${B[@]}" ping
run 2 -X noequals "${B[@]}" ping
run 2 "${B[@]}" -P
contains "$err" "-P needs -t STREAM/TOPIC" "-P without -t"
run 2 "${B[@]}" -C
contains "$err" "-C needs -t STREAM/TOPIC" "-C without -t"
run 2 "${B[@]}" -C -t just-a-stream
contains "$err" "-t expects STREAM/TOPIC" "-t without a topic"
run 2 "${B[@]}" -P -t s/t -z gzip
contains "$err" "-z: expected zstd, snappy or lz4" "-z gzip"
run 2 "${B[@]}" -C -t s/t -o sideways
contains "$err" "-o: expected beginning, end or an offset" "-o sideways"
run 2 "${B[@]}" -C -t s/t -p first
contains "$err" "PARTITION must be a number" "-p first"
run 2 "${B[@]}" -P -t s/t -e
contains "$err" "-o and -e only apply to -C" "-P -e"
run 2 "${B[@]}" -C -t s/t -k key
run 2 "${B[@]}" -P -t s/t -k key -p 1
run 2 "${B[@]}" -L extra

# ---- connection
run 0 -b "$addr" ping && contains "$out" "pong" "ping"
run 0 -b "iggy://iggy:iggy@$addr" stream list
run 0 -b "$addr" -X username=iggy -X password=iggy -X request.timeout.ms=5000 stream list
run 1 -b "$addr" -u iggy -p wrong-password stream list
contains "$err" "IGGY_ERR_INVALID_CREDENTIALS, 42" "wrong password"
run 1 -b 127.0.0.1:1 -X request.timeout.ms=1000 -X reconnect.backoff.ms=50 ping
contains "$err" "iggycat: ping:" "no server"

# ---- create
run 0 "${B[@]}" stream create "$S" && contains "$out" "$S" "stream create"
run 1 "${B[@]}" stream create "$S"
contains "$err" "iggycat: create stream: Stream name already exists (IGGY_ERR_STREAM_NAME_ALREADY_EXISTS, 1012)" \
  "duplicate stream"
run 0 "${B[@]}" stream create "$W"
run 0 "${B[@]}" topic create "$S" "$T" 3 && contains "$out" "3 partitions" "topic create"
run 1 "${B[@]}" topic create "$S" "$T" 1
contains "$err" "IGGY_ERR_TOPIC_NAME_ALREADY_EXISTS, 2013" "duplicate topic"
run 1 "${B[@]}" topic create "no-such-stream-$$" "$T" 1
contains "$err" "IGGY_ERR_STREAM_ID_NOT_FOUND, 1009" "topic in a missing stream"
run 1 "${B[@]}" stream create ""
contains "$err" "IGGY_ERR__INVALID_ARG" "empty stream name"

# ---- list: text
run 0 "${B[@]}" stream list && contains "$out" "$S" "stream list"
run 0 "${B[@]}" topic list "$S" && contains "$out" "$T" "topic list"
contains "$out" " 3 " "topic list partitions"
run 1 "${B[@]}" topic list "no-such-stream-$$"
contains "$err" "IGGY_ERR__NOT_FOUND" "topic list of a missing stream"
run 0 "${B[@]}" -L
contains "$out" "stream" "-L"
contains "$out" "\"$S\"" "-L stream"
contains "$out" "\"$T\" with 3 partitions" "-L topic"
contains "$out" "partition 2:" "-L partitions"

# ---- list: JSON
run 0 "${B[@]}" -J stream list && printf '%s\n' "$out" >"$tmp/streams.json"
valid_json "$tmp/streams.json" "-J stream list"
run 0 "${B[@]}" -J topic list "$S" && printf '%s\n' "$out" >"$tmp/topics.json"
valid_json "$tmp/topics.json" "-J topic list"
run 0 "${B[@]}" -L -J && printf '%s\n' "$out" >"$tmp/meta.json"
valid_json "$tmp/meta.json" "-L -J"
python3 - "$tmp/meta.json" "$S" "$T" "$W" <<'EOF' || fail "-L -J content"
import json, sys
meta = json.load(open(sys.argv[1], encoding="utf-8"))
names = {s["name"]: s for s in meta["streams"]}
s = names[sys.argv[2]]
t = [t for t in s["topics"] if t["name"] == sys.argv[3]][0]
assert t["partitions_count"] == 3, t
assert [p["id"] for p in t["partitions"]] == [0, 1, 2], t
assert t["consumer_groups"] == [], t
weird = sys.argv[4].encode("utf-8", "surrogateescape").decode("utf-8")
assert weird in names, sorted(names)
EOF

# ---- produce and consume
PT="cat-lines"
run 0 "${B[@]}" topic create "$S" "$PT" 2
# 400 lines: empty ones, long ones, UTF-8, tabs and backslashes.
python3 - "$tmp/lines.txt" <<'PYEOF'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(400):
        if i % 37 == 5:
            f.write("\n")
        else:
            tail = " \u00fc\\" if i % 7 == 0 else ""
            f.write(f"line {i}\t" + "x" * (i * 13 % 300) + tail + "\n")
PYEOF
# -p after -P is the partition (the -p iggy before it, in B, is the password).
run 0 "${B[@]}" -P -t "$S/$PT" -p 1 <"$tmp/lines.txt"
contains "$err" "produced 400 messages" "-P count"
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -e
cmp -s "$tmp/out" "$tmp/lines.txt" || fail "-C -e: output differs from the produced lines"
contains "$err" "consumed 400 messages" "-C count"
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -o beginning -e
cmp -s "$tmp/out" "$tmp/lines.txt" || fail "-C -o beginning: output differs"
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -o 150 -e
tail -n +151 "$tmp/lines.txt" >"$tmp/from150.txt"
cmp -s "$tmp/out" "$tmp/from150.txt" || fail "-C -o 150: output differs from lines 150.."
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -o end -e
[ -s "$tmp/out" ] && fail "-C -o end -e printed messages: $(head -c 200 "$tmp/out")"
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -o 400 -e
[ -s "$tmp/out" ] && fail "-C -o 400 -e printed messages"
run 0 "${B[@]}" -C -t "$S/$PT" -p 0 -e
[ -s "$tmp/out" ] && fail "-C of the empty partition 0 printed messages"
run 0 "${B[@]}" -C -t "$S/$PT" -p 0 -o end -e
run 1 "${B[@]}" -C -t "$S/$PT" -p 7 -e
contains "$err" "iggycat: consume:" "-C of a missing partition"
run 1 "${B[@]}" -P -t "no-such-stream-$$/$PT" <"$tmp/lines.txt"
contains "$err" "iggycat: produce:" "-P to a missing stream"
# Compressed: payloads marked per message, decompressed by -C.
head -n 120 "$tmp/lines.txt" >"$tmp/z.txt"
for z in zstd snappy lz4; do
  run 0 "${B[@]}" -P -t "$S/$PT" -p 0 -z "$z" <"$tmp/z.txt"
done
cat "$tmp/z.txt" "$tmp/z.txt" "$tmp/z.txt" >"$tmp/zzz.txt"
run 0 "${B[@]}" -C -t "$S/$PT" -p 0 -e
cmp -s "$tmp/out" "$tmp/zzz.txt" || fail "-z zstd/snappy/lz4: consumed output differs"
# Messages key: XXH32("order-42") % 3 = 1 (messages.md §11).
head -n 30 "$tmp/lines.txt" >"$tmp/k.txt"
run 0 "${B[@]}" -P -t "$S/$T" -k order-42 <"$tmp/k.txt"
run 0 "${B[@]}" -C -t "$S/$T" -p 1 -e
cmp -s "$tmp/out" "$tmp/k.txt" || fail "-k order-42: not on partition 1"
for p in 0 2; do
  run 0 "${B[@]}" -C -t "$S/$T" -p "$p" -e
  [ -s "$tmp/out" ] && fail "-k order-42: messages on partition $p"
done
# Without -e the consumer waits for more at the end of the partition.
timeout 2 "$cat_bin" "${B[@]}" -C -t "$S/$PT" -p 1 -o 390 >"$tmp/wait.out" 2>"$tmp/wait.err"
rc=$?
[ "$rc" = 124 ] || fail "-C without -e exited $rc at the end of the partition, want it to wait"
tail -n +391 "$tmp/lines.txt" >"$tmp/from390.txt"
cmp -s "$tmp/wait.out" "$tmp/from390.txt" || fail "-C without -e: output differs"

# ---- delete
run 0 "${B[@]}" topic delete "$S" "$T"
run 1 "${B[@]}" topic delete "$S" "$T"
contains "$err" "iggycat: delete topic:" "second topic delete"
contains "$err" "IGGY_ERR_TOPIC_ID_NOT_FOUND, 2010" "second topic delete"
run 0 "${B[@]}" stream delete "$S"
run 1 "${B[@]}" stream delete "$S"
contains "$err" "iggycat: delete stream: Stream id not found (IGGY_ERR_STREAM_ID_NOT_FOUND, 1009)" \
  "second stream delete"
run 1 "${B[@]}" stream delete 999999
run 0 "${B[@]}" stream delete "$W"
run 0 "${B[@]}" -J stream list && printf '%s\n' "$out" >"$tmp/after.json"
valid_json "$tmp/after.json" "-J stream list after delete"
python3 -c 'import json,sys; assert all(s["name"] != sys.argv[2] for s in json.load(open(sys.argv[1])))' \
  "$tmp/after.json" "$S" || fail "stream still listed after delete"

# start_server LOG CMD...: run a server that prints "listening on HOST:PORT"; sets srv_addr.
start_server() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  extra_pids+=($!)
  srv_addr=
  for _ in $(seq 1 100); do
    srv_addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$srv_addr" ] && return 0
    sleep 0.05
  done
  fail "$* printed no address: $(cat "$log")"
  return 1
}

# A loopback port nothing listens on (bound, then closed).
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

now_ms() { date +%s%3N; }

# ---- secrets: a password or token is never printed, however it was given
PW=s3cr3tPW
TOK=t0kenS3cret
no_secret() { # WHAT: neither the password nor the token in $out or $err
  case "$out$err" in
  *"$PW"* | *"$TOK"*) fail "$1: a secret was printed; stdout: $out; stderr: $err" ;;
  esac
}
start_server "$tmp/mock-pw.out" "$mock_bin" --listen 127.0.0.1:0 --password "$PW"
pw_addr=$srv_addr
for how in "-b iggy://iggy:$PW@$pw_addr" "-b $pw_addr -u iggy -p $PW" \
  "-b $pw_addr -X username=iggy -X password=$PW"; do
  read -r -a H <<<"$how"
  run 0 "${H[@]}" -L && no_secret "$how -L"
  contains "$out" "Metadata from $pw_addr:" "$how -L broker"
  run 0 "${H[@]}" -L -J && no_secret "$how -L -J"
  printf '%s\n' "$out" >"$tmp/pw.json"
  valid_json "$tmp/pw.json" "$how -L -J"
  python3 -c 'import json,sys; b = json.load(open(sys.argv[1]))["broker"]; assert b == sys.argv[2], b' \
    "$tmp/pw.json" "$pw_addr" || fail "$how -L -J: broker is not $pw_addr"
  run 0 "${H[@]}" -X list && no_secret "$how -X list"
  contains "$out" "password=***" "$how -X list"
  # -X list shows the effective configuration, also when it comes first.
  run 0 -X list "${H[@]}" && no_secret "-X list $how"
  contains "$out" "password=***" "-X list $how"
done
run 0 -b "iggy://$TOK@$pw_addr" -X list && no_secret "token -X list"
contains "$out" "personal.access.token=***" "token -X list"
run 0 -X "personal.access.token=$TOK" -X list && no_secret "-X personal.access.token"
# Failures: refused connections, a bad login, bad connection strings, credentials in a bare
# address (the library's resolve error echoes the address). No retries: only the text matters.
for how in "-b iggy://iggy:$PW@127.0.0.1:$closed" "-b 127.0.0.1:$closed -u iggy -p $PW" \
  "-b 127.0.0.1:$closed -X password=$PW" "-b iggy:$PW@127.0.0.1:$closed" \
  "-b iggy://$TOK@127.0.0.1:$closed" "-X bootstrap.servers=iggy:$PW@127.0.0.1:$closed"; do
  read -r -a H <<<"$how"
  run 1 "${H[@]}" -X reconnect.max.retries=0 ping && no_secret "$how ping"
  run 1 "${H[@]}" -X reconnect.max.retries=0 -L && no_secret "$how -L"
done
run 1 -b "$addr" -u iggy -p "$PW" -L && no_secret "wrong password"
contains "$err" "IGGY_ERR_INVALID_CREDENTIALS" "wrong password"
for cs in "iggy://iggy:$PW@$pw_addr?bogus=1" "iggy://iggy:$PW@$pw_addr?reconnection_retries=x" \
  "iggy://iggy:$PW@nohost" "iggy://iggy:$PW:x@$pw_addr" "iggy://iggy:$PW@@$pw_addr" \
  "iggy+quic://iggy:$PW@$pw_addr"; do
  run 2 -b "$cs" ping && no_secret "-b $cs"
done

# ---- nothing listens: a clear error within seconds; -X and the connection string still win
t0=$(now_ms)
run 1 -b "127.0.0.1:$closed" -L
elapsed=$(($(now_ms) - t0))
[ "$elapsed" -lt 6000 ] || fail "-L against a closed port took $elapsed ms, want < 6000"
contains "$err" "connect 127.0.0.1:$closed: Connection refused" "closed port"
t0=$(now_ms)
run 1 -b "127.0.0.1:$closed" ping
elapsed=$(($(now_ms) - t0))
[ "$elapsed" -lt 6000 ] || fail "ping against a closed port took $elapsed ms, want < 6000"
run 0 -X list
case "$out" in *"reconnect.max.retries=-1 "*) fail "-X list: iggycat retries without bound" ;; esac
run 0 -X reconnect.max.retries=7 -X list
contains "$out" "reconnect.max.retries=7 " "-X reconnect.max.retries=7"
run 0 -X list -X request.timeout.ms=12345
contains "$out" "request.timeout.ms=12345 " "-X list before -X request.timeout.ms"
cs="iggy://iggy:iggy@127.0.0.1:$closed?reconnection_retries=5&reconnection_interval=300ms"
run 0 -b "$cs" -X list
contains "$out" "reconnect.max.retries=5 " "connection string reconnection_retries"
contains "$out" "reconnect.backoff.ms=300 " "connection string reconnection_interval"
# 6 retries, each after 150..300 ms: visibly slower than the default.
t0=$(now_ms)
run 1 -b "127.0.0.1:$closed" -X reconnect.max.retries=6 -X reconnect.backoff.ms=300 \
  -X reconnect.backoff.max.ms=300 ping
elapsed=$(($(now_ms) - t0))
[ "$elapsed" -ge 800 ] || fail "-X reconnect.max.retries=6: gave up after $elapsed ms, want >= 800"
contains "$err" "Connection refused" "-X reconnect.max.retries=6"

# ---- consume never spins: a hostile server's polls repeat, wrap or come back empty
# run_limit SECS EXPECTED_EXIT ARGS...: like run, killed after SECS (exit 124: it looped).
run_limit() {
  local secs=$1
  shift
  local want=$1
  shift
  timeout "$secs" "$cat_bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  out=$(head -c 2000 "$tmp/out")
  err=$(head -c 2000 "$tmp/err")
  if [ "$got" != "$want" ]; then
    fail "iggycat $* exited $got, want $want (124: still running after ${secs}s);" \
      "stdout: $(head -n 3 "$tmp/out"); stderr: $err"
    return 1
  fi
  return 0
}
hostile=$(dirname "$0")/hostile_poll_server.py
start_server "$tmp/stale.log" python3 "$hostile" stale
run_limit 10 1 -b "$srv_addr" -C -t 1/1 -e
contains "$err" "iggycat: consume: " "stale poll -e"
contains "$err" "offset 0" "stale poll -e"
[ "$out" = "stale-message" ] ||
  fail "stale poll -e: want the message once, got: $(head -n 3 <<<"$out")"
run_limit 10 1 -b "$srv_addr" -C -t 1/1
contains "$err" "offset 0" "stale poll without -e"
run_limit 10 1 -b "$srv_addr" -C -t 1/1 -o 0 -e
run_limit 10 1 -b "$srv_addr" -C -t 1/1 -o 1 -e
[ -z "$out" ] || fail "stale poll from offset 1 printed: $(head -n 3 <<<"$out")"
start_server "$tmp/wrap.log" python3 "$hostile" wrap
run_limit 10 1 -b "$srv_addr" -C -t 1/1 -e
contains "$err" "wrap" "offset 2^64-1"
[ -z "$out" ] || fail "offset 2^64-1: printed $(head -n 3 <<<"$out")"
run_limit 10 1 -b "$srv_addr" -C -t 1/1 -o end -e
contains "$err" "wrap" "-o end at offset 2^64-1"
start_server "$tmp/empty.log" python3 "$hostile" empty
run_limit 10 0 -b "$srv_addr" -C -t 1/1 -e
contains "$err" "consumed 0 messages" "empty poll -e"
# Without -e an empty partition is polled with a pause, not in a busy loop.
polls0=$(grep -c 'code=100' "$tmp/empty.log")
run_limit 1.5 124 -b "$srv_addr" -C -t 1/1
polls=$(($(grep -c 'code=100' "$tmp/empty.log") - polls0))
[ "$polls" -ge 2 ] && [ "$polls" -le 40 ] ||
  fail "-C without -e: $polls polls of an empty partition in 1.5 s, want 2..40"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "iggycat: all checks passed"
