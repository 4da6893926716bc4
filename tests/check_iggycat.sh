#!/usr/bin/env bash
# iggycat against a standalone iggy-mock-server: -h/-V, create a stream and a topic, list them
# as text and JSON (validated with python3), -L's request count, produce stdin lines and
# consume them back (-P / -C with -p, -k, -K, -H, -z, -c, every -o, -e, -f, -J, -G), delivery
# on the linger (a line is consumable before EOF), failed deliveries in the exit status,
# SIGINT/SIGTERM flushing, the admin verbs (partition, group, user, token, offset, purge),
# delete, and the exit codes and messages of failures and usage errors. Then: passwords and
# tokens never reach stdout or stderr; iggycat fails within seconds when nothing listens; and
# -C neither loops nor prints a message twice on a server whose polls do not advance
# (tests/hostile_poll_server.py).
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
extra_pids=() # servers and background iggycats started by the later sections
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

lacks() { # HAYSTACK NEEDLE WHAT
  case "$1" in
  *"$2"*) fail "$3: '$2' in: $1" ;;
  esac
}

valid_json() { # FILE WHAT
  python3 -m json.tool "$1" >/dev/null 2>"$tmp/json.err" || fail "$2: invalid JSON: $(cat "$tmp/json.err"): $(cat "$1")"
}

same_lines() { # FILE_A FILE_B WHAT: equal once sorted (partitions are read in turn)
  cmp -s <(sort "$1") <(sort "$2") || fail "$3: got $(sort "$1" | head -c 300 | tr '\n' '|'), want $(sort "$2" | head -c 300 | tr '\n' '|')"
}


now_ms() { date +%s%3N; }

# wait_for MS CMD...: run CMD every 0.1 s until it succeeds; false after MS milliseconds.
wait_for() {
  local until=$(($(now_ms) + $1))
  shift
  while ! "$@"; do
    [ "$(now_ms)" -lt "$until" ] || return 1
    sleep 0.1
  done
}

B=(-b "$addr" -u iggy -p iggy)
S="cat-stream-$$"
T="cat-topic"
W=$'we"ird\\name \xc3\xbc\ttab' # quote, backslash, non-ASCII and a tab: JSON escaping

# ---- help, version and usage errors
run 0 -h && contains "$out" "Usage: iggycat" "-h"
run 0 --help && contains "$out" "-o OFFSET" "--help"
contains "$out" "token create NAME" "--help lists the admin commands"
run 0 -V && contains "$out" "iggycat (libiggy 0." "-V"
run 0 --version && contains "$out" "iggycat (libiggy " "--version"
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
contains "$err" "-z: expected none, zstd, snappy or lz4 (the codecs the library has)" "-z gzip"
run 2 "${B[@]}" -C -t s/t -o sideways
contains "$err" "-o: expected beginning, end, stored, an offset, -N or s@UNIX_MS" "-o sideways"
for bad in -x s@ s@x - 1x; do
  run 2 "${B[@]}" -C -t s/t -o "$bad"
done
run 2 "${B[@]}" -C -t s/t -p first
contains "$err" "PARTITION must be a number" "-p first"
run 2 "${B[@]}" -P -t s/t -e
contains "$err" "-o, -e and -f only apply to -C" "-P -e"
run 2 "${B[@]}" -P -t s/t -o end
run 2 "${B[@]}" -C -t s/t -k key
contains "$err" "-k, -H and -z only apply to -P" "-C -k"
run 2 "${B[@]}" -C -t s/t -H a=b
run 2 "${B[@]}" -C -t s/t -z zstd
run 2 "${B[@]}" -P -t s/t -k key -p 1
contains "$err" "give a key (-k, -K) or -p PARTITION, not both" "-k with -p"
run 2 "${B[@]}" -P -t s/t -K : -p 1
run 2 "${B[@]}" -P -t s/t -K : -k key
run 2 "${B[@]}" -P -t s/t -K ""
run 2 "${B[@]}" -P -t s/t -H novalue
contains "$err" "-H expects NAME=VALUE" "-H without ="
run 2 "${B[@]}" -P -t s/t -H =v
run 2 "${B[@]}" -P -t s/t -H n=
run 2 "${B[@]}" -P -t s/t -K : -H key=x
contains "$err" "the key header is set by -k or -K" "-H key= with -K"
run 2 "${B[@]}" -P -t s/t -H iggy-compression=zstd
run 2 "${B[@]}" -C -t s/t -c many
contains "$err" "-c: COUNT must be a number" "-c many"
run 2 "${B[@]}" -C -t s/t -f '%q'
contains "$err" "-f: unknown token '%q'" "-f %q"
run 2 "${B[@]}" -C -t s/t -f 'a\q'
contains "$err" "unknown escape" "-f with an unknown escape"
run 2 "${B[@]}" -C -t s/t -f '%s' -J
contains "$err" "give -f FORMAT or -J, not both" "-f with -J"
run 2 "${B[@]}" -C -t s/t -G g -p 1
contains "$err" "-G: a group member reads its assigned partitions" "-G with -p"
run 2 "${B[@]}" -C -t s/t -G g -o end
run 2 "${B[@]}" -G g stream list
contains "$err" "-G applies to -C and the offset commands" "-G stream list"
run 2 "${B[@]}" -t s/t stream list
run 2 "${B[@]}" -L extra
run 2 "${B[@]}" -C -t s/t extra
run 2 "${B[@]}" partition create s t many
run 2 "${B[@]}" offset get s t zero
run 2 "${B[@]}" offset set s t 0 x
run 2 "${B[@]}" -G g offset get s t 0 consumer
run 2 "${B[@]}" token create n 0
run 2 "${B[@]}" user create alice pw maybe

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

# ---- list: text, and what -L costs
run 0 "${B[@]}" stream list && contains "$out" "$S" "stream list"
run 0 "${B[@]}" topic list "$S" && contains "$out" "$T" "topic list"
contains "$out" " 3 " "topic list partitions"
run 1 "${B[@]}" topic list "no-such-stream-$$"
contains "$err" "IGGY_ERR__NOT_FOUND" "topic list of a missing stream"
run 0 "${B[@]}" -L
contains "$out" "stream" "-L"
contains "$out" "\"$S\"" "-L stream"
contains "$out" "\"$T\" with 3 partitions (ids 0..2)" "-L topic"
# GetStreams, then GetStream only for the stream with topics ($S; $W has none).
run 0 "${B[@]}" -L -v
contains "$err" "-L: 2 metadata requests (" "-L -v request count"
contains "$err" "GetStreams 1" "-L -v GetStreams"
contains "$err" "GetStream 1" "-L -v GetStream"
run 0 "${B[@]}" group create "$S" "$T" cat-group
contains "$out" "Consumer group \"cat-group\" created in topic $T of stream $S with id 0" \
  "group create"
run 0 "${B[@]}" -L -t "$S/$T" -v
contains "$out" "partition 2: 1 segment, offset 0, 0 messages" "-L -t partitions"
contains "$out" "consumer group 0 \"cat-group\": 0 members" "-L -t groups"
contains "$err" "-L: 3 metadata requests (" "-L -t -v request count"
run 1 "${B[@]}" -L -t "$S/no-such-topic"
contains "$err" "iggycat: list topic:" "-L -t of a missing topic"
run 1 "${B[@]}" -L -t "no-such-stream-$$/$T"
contains "$err" "iggycat: list stream:" "-L -t of a missing stream"

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
assert "consumer_groups" not in t, t  # per-topic requests: only with -t
weird = sys.argv[4].encode("utf-8", "surrogateescape").decode("utf-8")
assert weird in names and names[weird]["topics"] == [], sorted(names)
EOF
run 0 "${B[@]}" -L -J -t "$S/$T" && printf '%s\n' "$out" >"$tmp/meta1.json"
python3 - "$tmp/meta1.json" "$S" "$T" <<'EOF' || fail "-L -J -t content"
import json, sys
meta = json.load(open(sys.argv[1], encoding="utf-8"))
[s] = meta["streams"]
assert s["name"] == sys.argv[2], s
[t] = s["topics"]
assert t["name"] == sys.argv[3], t
assert [(p["id"], p["messages_count"]) for p in t["partitions"]] == [(0, 0), (1, 0), (2, 0)], t
assert [(g["name"], g["members_count"]) for g in t["consumer_groups"]] == [("cat-group", 0)], t
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
run 0 "${B[@]}" -C -t "$S/$PT" -e -q # every partition by default; -q: no summary
cmp -s "$tmp/out" "$tmp/lines.txt" || fail "-C -e of every partition: output differs"
[ -z "$err" ] || fail "-q printed: $err"
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -o beginning -e
cmp -s "$tmp/out" "$tmp/lines.txt" || fail "-C -o beginning: output differs"
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -o 150 -e
tail -n +151 "$tmp/lines.txt" >"$tmp/from150.txt"
cmp -s "$tmp/out" "$tmp/from150.txt" || fail "-C -o 150: output differs from lines 150.."
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -o -25 -e
tail -n 25 "$tmp/lines.txt" >"$tmp/last25.txt"
cmp -s "$tmp/out" "$tmp/last25.txt" || fail "-C -o -25: output differs from the last 25 lines"
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
# -c: the first N lines, the first N messages (and no waiting for more).
run 0 "${B[@]}" -C -t "$S/$PT" -p 1 -c 7
head -n 7 "$tmp/lines.txt" >"$tmp/first7.txt"
cmp -s "$tmp/out" "$tmp/first7.txt" || fail "-C -c 7: not the first 7 lines"
contains "$err" "consumed 7 messages" "-C -c 7"
# Compressed: payloads marked per message, decompressed by -C.
head -n 120 "$tmp/lines.txt" >"$tmp/z.txt"
for z in zstd snappy lz4 none; do
  run 0 "${B[@]}" -P -t "$S/$PT" -p 0 -z "$z" <"$tmp/z.txt"
done
cat "$tmp/z.txt" "$tmp/z.txt" "$tmp/z.txt" "$tmp/z.txt" >"$tmp/zzz.txt"
run 0 "${B[@]}" -C -t "$S/$PT" -p 0 -e
cmp -s "$tmp/out" "$tmp/zzz.txt" || fail "-z zstd/snappy/lz4/none: consumed output differs"
run 0 "${B[@]}" -C -t "$S/$PT" -p 0 -o 0 -c 1 -f '%h\n'
[ "$out" = "iggy-compression=zstd" ] || fail "-z zstd: the message's headers are '$out'"
# Messages key: XXH32("order-42") % 3 = 1 (messages.md §11), kept in the "key" header.
head -n 30 "$tmp/lines.txt" >"$tmp/k.txt"
run 0 "${B[@]}" -P -t "$S/$T" -k order-42 <"$tmp/k.txt"
run 0 "${B[@]}" -C -t "$S/$T" -p 1 -e
cmp -s "$tmp/out" "$tmp/k.txt" || fail "-k order-42: not on partition 1"
run 0 "${B[@]}" -C -t "$S/$T" -p 1 -e -f '%k\n'
[ "$(sort -u "$tmp/out")" = "order-42" ] || fail "-k order-42: keys read back: $(sort -u "$tmp/out")"
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

# ---- the linger: a line is delivered while stdin is still open, not at EOF
LT="cat-linger"
run 0 "${B[@]}" topic create "$S" "$LT" 1
(
  echo first-line
  sleep 3
  touch "$tmp/second.sent"
  echo second-line
) | "$cat_bin" "${B[@]}" -P -t "$S/$LT" >"$tmp/linger.out" 2>"$tmp/linger.err" &
linger_pid=$!
extra_pids+=("$linger_pid")
first_consumable() {
  "$cat_bin" "${B[@]}" -C -t "$S/$LT" -e -q >"$tmp/linger.c" 2>&1 && grep -qx first-line "$tmp/linger.c"
}
t0=$(now_ms)
if wait_for 2500 first_consumable; then
  [ -e "$tmp/second.sent" ] && fail "-P: the first line was consumable only after the second was written"
  echo "linger: the first line was consumable $(($(now_ms) - t0)) ms after the producer started"
else
  fail "-P: the first line was not consumable within 2.5 s of being written (stdin still open)"
fi
wait "$linger_pid"
rc=$?
[ "$rc" = 0 ] || fail "-P with a pause exited $rc: $(cat "$tmp/linger.err")"
contains "$(cat "$tmp/linger.err")" "produced 2 messages" "-P with a pause"
run 0 "${B[@]}" -C -t "$S/$LT" -e -q
[ "$out" = $'first-line\nsecond-line' ] || fail "-P with a pause: consumed '$out'"
# -c on -P: only the first N lines are sent.
seq 1 10 | "$cat_bin" "${B[@]}" -P -t "$S/$LT" -c 4 -q || fail "-P -c 4 failed"
run 0 "${B[@]}" -C -t "$S/$LT" -o 2 -e -q
[ "$out" = $'1\n2\n3\n4' ] || fail "-P -c 4: consumed '$out'"
# SIGTERM (and SIGINT) flush and exit 0: the line read before the signal is delivered.
mkfifo "$tmp/fifo"
"$cat_bin" "${B[@]}" -P -t "$S/$LT" <"$tmp/fifo" >/dev/null 2>"$tmp/sig.err" &
sig_pid=$!
extra_pids+=("$sig_pid")
exec 7>"$tmp/fifo"
echo signalled-line >&7
sleep 0.5
kill -TERM "$sig_pid"
t0=$(now_ms)
wait "$sig_pid"
rc=$?
exec 7>&-
[ "$rc" = 0 ] || fail "-P after SIGTERM exited $rc: $(cat "$tmp/sig.err")"
[ $(($(now_ms) - t0)) -lt 3000 ] || fail "-P took $(($(now_ms) - t0)) ms to end after SIGTERM"
contains "$(cat "$tmp/sig.err")" "produced 1 message" "-P after SIGTERM"
run 0 "${B[@]}" -C -t "$S/$LT" -o -1 -e -q
[ "$out" = signalled-line ] || fail "-P after SIGTERM: the last message is '$out'"
# -C: SIGINT ends it cleanly (exit 0, the summary printed).
"$cat_bin" "${B[@]}" -C -t "$S/$LT" >"$tmp/sigc.out" 2>"$tmp/sigc.err" &
sig_pid=$!
extra_pids+=("$sig_pid")
sleep 0.5
kill -INT "$sig_pid"
wait "$sig_pid"
rc=$?
[ "$rc" = 0 ] || fail "-C after SIGINT exited $rc: $(cat "$tmp/sigc.err")"
contains "$(cat "$tmp/sigc.err")" "consumed 7 messages" "-C after SIGINT"
# A failed delivery (partition 7 of 2) is reported and makes the exit status 1.
printf 'x\ny\n' >"$tmp/xy.txt"
run 1 "${B[@]}" -P -t "$S/$PT" -p 7 <"$tmp/xy.txt"
contains "$err" "delivery to partition 7 failed" "-P to a missing partition"
contains "$err" "produced 0 messages; 2 failed" "-P to a missing partition"
# -P from files (- is stdin), one message per line.
printf 'f1\nf2\n' >"$tmp/f12.txt"
echo f3 | "$cat_bin" "${B[@]}" -P -t "$S/$LT" -q "$tmp/f12.txt" - || fail "-P FILE - failed"
run 0 "${B[@]}" -C -t "$S/$LT" -o -3 -e -q
[ "$out" = $'f1\nf2\nf3' ] || fail "-P FILE -: consumed '$out'"
run 1 "${B[@]}" -P -t "$S/$LT" "$tmp/no-such-file"
contains "$err" "no-such-file: No such file or directory" "-P of a missing file"

# ---- -o over several partitions: each partition starts at its own place
OT="cat-offsets"
run 0 "${B[@]}" topic create "$S" "$OT" 3
seq 0 4 | sed 's/^/p0-/' | "$cat_bin" "${B[@]}" -P -t "$S/$OT" -p 0 -q
seq 0 2 | sed 's/^/p1-/' | "$cat_bin" "${B[@]}" -P -t "$S/$OT" -p 1 -q
consumed_as() { # OFFSET EXPECTED...: -C -o OFFSET -e prints "partition offset" lines
  local o=$1
  shift
  run 0 "${B[@]}" -C -t "$S/$OT" -o "$o" -e -q -f '%p %o\n' || return
  printf '%s\n' "$out" | sed '/^$/d' | sort >"$tmp/got.txt"
  printf '%s\n' "$@" | sed '/^$/d' | sort >"$tmp/want.txt"
  cmp -s "$tmp/got.txt" "$tmp/want.txt" || fail "-o $o: got $(tr '\n' '|' <"$tmp/got.txt"), want $(tr '\n' '|' <"$tmp/want.txt")"
}
consumed_as beginning "0 0" "0 1" "0 2" "0 3" "0 4" "1 0" "1 1" "1 2"
consumed_as 2 "0 2" "0 3" "0 4" "1 2"
consumed_as 4 "0 4"
consumed_as -2 "0 3" "0 4" "1 1" "1 2"
consumed_as -10 "0 0" "0 1" "0 2" "0 3" "0 4" "1 0" "1 1" "1 2"
consumed_as -0 ""
consumed_as end ""
# s@MS: the first message stored at or after that time (broker time, ms since the epoch).
sleep 0.05
cut=$(now_ms)
sleep 0.05
echo p2-late | "$cat_bin" "${B[@]}" -P -t "$S/$OT" -p 2 -q
echo p0-late | "$cat_bin" "${B[@]}" -P -t "$S/$OT" -p 0 -q
consumed_as "s@$cut" "2 0" "0 5"
consumed_as "s@$((cut + 600000))" ""
# -o end without -e: only what comes after the start.
"$cat_bin" "${B[@]}" -C -t "$S/$OT" -o end -c 2 -q -f '%p %s\n' >"$tmp/end.out" 2>"$tmp/end.err" &
end_pid=$!
extra_pids+=("$end_pid")
sleep 1
echo p1-new | "$cat_bin" "${B[@]}" -P -t "$S/$OT" -p 1 -q
echo p2-new | "$cat_bin" "${B[@]}" -P -t "$S/$OT" -p 2 -q
end_has_two() { [ "$(wc -l <"$tmp/end.out")" -ge 2 ]; }
wait_for 5000 end_has_two
sleep 0.2
kill -0 "$end_pid" 2>/dev/null && fail "-C -o end -c 2 still runs after 2 new messages"
printf '1 p1-new\n2 p2-new\n' >"$tmp/end.want"
same_lines "$tmp/end.out" "$tmp/end.want" "-C -o end"
# -o stored: resume after the offset stored for consumer.id, which the run keeps up to date.
run 0 "${B[@]}" -C -t "$S/$OT" -p 0 -o stored -X consumer.id=cat-reader -c 2 -q
[ "$out" = $'p0-0\np0-1' ] || fail "-o stored, first run: '$out'"
run 0 "${B[@]}" offset get "$S" "$OT" 0 cat-reader
contains "$out" "partition 0: stored offset 1, current offset 5" "-o stored commits"
run 0 "${B[@]}" -C -t "$S/$OT" -p 0 -o stored -X consumer.id=cat-reader -e -q
[ "$out" = $'p0-2\np0-3\np0-4\np0-late' ] || fail "-o stored, second run: '$out'"
# Other starting points leave nothing stored on the server.
run 0 "${B[@]}" -C -t "$S/$OT" -p 1 -e -q
run 1 "${B[@]}" offset get "$S" "$OT" 1
contains "$err" "no offset is stored for consumer 0 on partition 1" "-C stores nothing"

# ---- -K: key routing (equal keys, one partition), the key read back; -H; -f; -J
KT="cat-keys"
run 0 "${B[@]}" topic create "$S" "$KT" 3
python3 - "$tmp/keyed.txt" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(60):
        f.write(f"user-{i % 5}:payload {i}: with a colon\n")
    f.write("order-42:to partition 1\n")
    f.write("no delimiter here\n")
    f.write(":empty key\n")
PYEOF
run 0 "${B[@]}" -P -t "$S/$KT" -K : -H app=iggycat -H trace=t-1 <"$tmp/keyed.txt"
contains "$err" "produced 63 messages" "-P -K"
run 0 "${B[@]}" -C -t "$S/$KT" -e -J && printf '%s\n' "$out" >"$tmp/keyed.json"
python3 - "$tmp/keyed.json" <<'EOF' || fail "-K routing / -H / -J content"
import json, re, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(msgs) == 63, len(msgs)
parts = {}
for m in msgs:
    assert set(m) == {"topic", "partition", "offset", "timestamp", "origin_timestamp", "id",
                      "headers", "key", "payload"}, m
    assert re.fullmatch(r"[0-9a-f]{32}", m["id"]), m["id"]
    assert m["timestamp"] > 1_600_000_000_000_000 and m["origin_timestamp"] > 0, m
    assert m["headers"]["app"] == "iggycat" and m["headers"]["trace"] == "t-1", m
    if m["key"] is not None:
        assert m["headers"]["key"] == m["key"], m
        parts.setdefault(m["key"], set()).add(m["partition"])
    else:
        assert "key" not in m["headers"], m
by_payload = {m["payload"]: m for m in msgs}
assert all(len(p) == 1 for p in parts.values()), parts  # equal keys, one partition
assert len({min(p) for k, p in parts.items() if k.startswith("user-")}) > 1, parts
assert parts["order-42"] == {1}, parts  # XXH32("order-42") % 3
assert by_payload["payload 7: with a colon"]["key"] == "user-2"
assert by_payload["no delimiter here"]["key"] is None
assert by_payload["empty key"]["key"] is None
for p in range(3):  # offsets rise from 0 in every partition
    offs = [m["offset"] for m in msgs if m["partition"] == p]
    assert offs == list(range(len(offs))), (p, offs)
EOF
# -C -K prints KEY DELIM PAYLOAD: the keyed lines come back as they were produced.
run 0 "${B[@]}" -C -t "$S/$KT" -e -K : -q
grep -v -e '^no delimiter' -e '^:empty' "$tmp/keyed.txt" >"$tmp/keyed.want"
echo ":no delimiter here" >>"$tmp/keyed.want"
echo ":empty key" >>"$tmp/keyed.want"
same_lines "$tmp/out" "$tmp/keyed.want" "-C -K :"
# -f: every token.
t0=$(now_ms)
echo "fmt-key=fmt payload" | "$cat_bin" "${B[@]}" -P -t "$S/$KT" -K = -H h=v -q
t1=$(now_ms)
run 0 "${B[@]}" -C -t "$S/$KT" -o -1 -e -q -J # the last message of every partition
fpart=$(python3 -c 'import json,sys; print([m["partition"] for m in map(json.loads, sys.argv[1].splitlines()) if m["payload"] == "fmt payload"][0])' "$out")
run 0 "${B[@]}" -C -t "$S/$KT" -p "$fpart" -o -1 -e -q \
  -f '%s|%S|%k|%K|%t|%p|%o|%T|%i|%h|100%%|a\tb\\c\n'
python3 - "$out" "$S/$KT" "$fpart" "$t0" "$t1" <<'EOF' || fail "-f tokens: $out"
import re, sys
line, topic, part, t0, t1 = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
f = line.split("|")
assert f[:7] == ["fmt payload", "11", "fmt-key", "7", topic, part, f[6]], f
assert f[6].isdigit(), f
assert t0 - 1 <= int(f[7]) <= t1 + 1, (f[7], t0, t1)
assert re.fullmatch(r"[0-9a-f]{32}", f[8]), f[8]
assert sorted(f[9].split(",")) == ["h=v", "key=fmt-key"], f[9]
assert f[10] == "100%" and f[11] == "a\tb\\c", f[10:]
EOF

# ---- -G: a consumer group member, its place stored at exit
GT="cat-group-topic"
run 0 "${B[@]}" topic create "$S" "$GT" 3
seq 1 30 | "$cat_bin" "${B[@]}" -P -t "$S/$GT" -q # balanced: 10 per partition
run 0 "${B[@]}" -C -t "$S/$GT" -G cat-g -c 12 -q && printf '%s\n' "$out" >"$tmp/g1.txt"
[ "$(wc -l <"$tmp/g1.txt")" = 12 ] || fail "-G -c 12 printed $(wc -l <"$tmp/g1.txt") lines"
run 0 "${B[@]}" group list "$S" "$GT"
contains "$out" "cat-g" "-G creates the group"
run 0 "${B[@]}" -J group get "$S" "$GT" cat-g && printf '%s\n' "$out" >"$tmp/g.json"
python3 -c 'import json,sys; g = json.load(open(sys.argv[1])); assert g["name"] == "cat-g" and g["members"] == [] and g["partitions_count"] == 3, g' \
  "$tmp/g.json" || fail "group get after -G: $(cat "$tmp/g.json")"
run 0 "${B[@]}" -C -t "$S/$GT" -G cat-g -e -q && printf '%s\n' "$out" >"$tmp/g2.txt"
cat "$tmp/g1.txt" "$tmp/g2.txt" | sed '/^$/d' >"$tmp/g12.txt"
seq 1 30 >"$tmp/g.want"
same_lines "$tmp/g12.txt" "$tmp/g.want" "-G: two runs read every message once"
run 0 "${B[@]}" -C -t "$S/$GT" -G cat-g -e
[ -z "$out" ] || fail "-G: a third run read '$out'"
contains "$err" "consumed 0 messages" "-G third run"
run 0 "${B[@]}" -G cat-g offset get "$S" "$GT" 0
contains "$out" "partition 0: stored offset 9, current offset 9" "-G stores its offsets"
# -X consumer.auto.commit wins over iggycat's choice: nothing stored, the next run reads it all.
for i in 1 2; do
  run 0 "${B[@]}" -C -t "$S/$GT" -G cat-g2 -X consumer.auto.commit=disabled -e -q
  [ "$(printf '%s\n' "$out" | sed '/^$/d' | wc -l)" = 30 ] || fail "-G with auto.commit disabled, run $i: $(wc -l <"$tmp/out") lines"
done
# A running member shows in the group.
"$cat_bin" "${B[@]}" -C -t "$S/$GT" -G cat-g -q >/dev/null 2>&1 &
member_pid=$!
extra_pids+=("$member_pid")
member_shown() { "$cat_bin" "${B[@]}" group get "$S" "$GT" cat-g 2>/dev/null | grep -q "member 0: partitions 0,1,2"; }
wait_for 5000 member_shown || fail "a running -G member is not in group get: $("$cat_bin" "${B[@]}" group get "$S" "$GT" cat-g 2>&1)"
kill -INT "$member_pid"
wait "$member_pid" || fail "the -G member exited $? after SIGINT"

# ---- admin: partitions, groups, offsets, purge
run 0 "${B[@]}" partition create "$S" "$GT" 2
contains "$out" "2 partitions added to topic $GT of stream $S" "partition create"
run 0 "${B[@]}" -L -t "$S/$GT"
contains "$out" "with 5 partitions" "partition create: count"
run 0 "${B[@]}" partition delete "$S" "$GT" 2
run 0 "${B[@]}" -L -t "$S/$GT"
contains "$out" "with 3 partitions" "partition delete: count"
run 1 "${B[@]}" partition delete "$S" "$GT" 9
contains "$err" "iggycat: delete partitions:" "deleting more partitions than exist"
run 0 "${B[@]}" -J group list "$S" "$T" && printf '%s\n' "$out" >"$tmp/groups.json"
python3 -c 'import json,sys; assert [g["name"] for g in json.load(open(sys.argv[1]))] == ["cat-group"]' \
  "$tmp/groups.json" || fail "-J group list: $(cat "$tmp/groups.json")"
run 0 "${B[@]}" group get "$S" "$T" 0
contains "$out" "cat-group" "group get by id"
run 1 "${B[@]}" group create "$S" "$T" cat-group
contains "$err" "CONSUMER_GROUP_NAME_ALREADY_EXISTS" "duplicate group"
run 0 "${B[@]}" offset set "$S" "$T" 1 5
contains "$out" "Offset 5 stored on partition 1" "offset set"
run 0 "${B[@]}" -J offset get "$S" "$T" 1 && printf '%s\n' "$out" >"$tmp/off.json"
python3 -c 'import json,sys; o = json.load(open(sys.argv[1])); assert (o["partition_id"], o["stored_offset"], o["current_offset"]) == (1, 5, 29), o' \
  "$tmp/off.json" || fail "-J offset get: $(cat "$tmp/off.json")"
run 0 "${B[@]}" offset delete "$S" "$T" 1
run 1 "${B[@]}" offset get "$S" "$T" 1
run 0 "${B[@]}" -G cat-group offset set "$S" "$T" 1 3
run 0 "${B[@]}" -G cat-group offset get "$S" "$T" 1
contains "$out" "stored offset 3" "-G offset set"
run 0 "${B[@]}" -J group get "$S" "$T" cat-group && printf '%s\n' "$out" >"$tmp/left.json"
python3 -c 'import json,sys; g = json.load(open(sys.argv[1])); assert g["members_count"] == 0, g' \
  "$tmp/left.json" || fail "-G offset set did not leave the group: $(cat "$tmp/left.json")"
run 0 "${B[@]}" -G cat-group offset delete "$S" "$T" 1
run 1 "${B[@]}" -G cat-group offset get "$S" "$T" 1
run 0 "${B[@]}" group delete "$S" "$T" cat-group
run 1 "${B[@]}" group get "$S" "$T" cat-group
run 0 "${B[@]}" topic purge "$S" "$PT"
contains "$out" "Topic $PT purged in stream $S" "topic purge"
run 0 "${B[@]}" -C -t "$S/$PT" -e -q
[ -z "$out" ] || fail "topic purge: messages remain"
run 0 "${B[@]}" stream purge "$S"
run 0 "${B[@]}" -L -J -t "$S/$KT" && printf '%s\n' "$out" >"$tmp/purged.json"
python3 -c 'import json,sys; s = json.load(open(sys.argv[1]))["streams"][0]; assert s["messages_count"] == 0, s' \
  "$tmp/purged.json" || fail "stream purge: $(cat "$tmp/purged.json")"

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
UPW=us3rPassw0rd # a user's password, and the one it changes to
NPW=n3wPassw0rd
minted=never-minted # a token the server mints (set below)
no_secret() { # WHAT: no password or token in $out or $err
  case "$out$err" in
  *"$PW"* | *"$TOK"* | *"$UPW"* | *"$NPW"* | *"$minted"*)
    fail "$1: a secret was printed; stdout: $out; stderr: $err" ;;
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
# Producing, consuming and -v's log lines print no secret either.
C=(-b "iggy://iggy:$PW@$pw_addr")
run 0 "${C[@]}" stream create sec && no_secret "stream create"
run 0 "${C[@]}" topic create sec t 1 && no_secret "topic create"
run 0 "${C[@]}" -v -P -t sec/t <<<secret-free && no_secret "-P -v"
run 0 "${C[@]}" -v -C -t sec/t -e -J && no_secret "-C -v -J"
contains "$out" '"payload":"secret-free"' "-C with a password"
run 0 "${C[@]}" -v -C -t sec/t -G sec-group -e -f '%h %s\n' && no_secret "-C -G -v"
# User passwords: on the command line, from stdin, in errors.
run 0 "${C[@]}" user create cat-user "$UPW" && no_secret "user create"
contains "$out" 'User "cat-user" created' "user create"
run 1 "${C[@]}" user create cat-user "$UPW" && no_secret "duplicate user create"
contains "$err" "USER_ALREADY_EXISTS" "duplicate user create"
run 1 "${C[@]}" user create x "$UPW" && no_secret "user create with a bad name"
run 0 "${C[@]}" user list && no_secret "user list"
contains "$out" "cat-user" "user list"
run 0 "${C[@]}" -J user get cat-user && no_secret "user get"
python3 -c 'import json,sys; u = json.loads(sys.argv[1]); assert u["username"] == "cat-user" and u["status"] == "active", u' \
  "$out" || fail "-J user get: $out"
run 1 -b "iggy://cat-user:$NPW@$pw_addr" stream list && no_secret "the new password before the change"
run 0 "${C[@]}" user password cat-user - - < <(printf '%s\n%s\n' "$UPW" "$NPW") &&
  no_secret "user password from stdin"
run 1 -b "iggy://cat-user:$UPW@$pw_addr" stream list && no_secret "the old password"
contains "$err" "IGGY_ERR_INVALID_CREDENTIALS" "the old password"
run 0 -b "iggy://cat-user:$NPW@$pw_addr" token list && no_secret "the new password"
run 1 "${C[@]}" user password cat-user - "$NPW" <<<"$UPW" &&
  no_secret "user password with a wrong current one"
run 0 "${C[@]}" user delete cat-user && no_secret "user delete"
run 1 "${C[@]}" user get cat-user
# Tokens: `token create` prints the minted token (the one output that is a secret), on stdout
# only; it never shows anywhere else.
run 0 "${C[@]}" token create cat-token 3600
minted=$out
[ -n "$minted" ] && [ "$(wc -l <"$tmp/out")" = 1 ] || fail "token create printed '$out'"
[ -z "$err" ] || fail "token create wrote to stderr: $err"
run 0 "${C[@]}" token list && no_secret "token list"
contains "$out" "cat-token" "token list"
run 0 "${C[@]}" -J token list && no_secret "-J token list"
python3 -c 'import json,sys; [t] = json.loads(sys.argv[1]); assert t["name"] == "cat-token" and t["expiry_at"] > 0, t' \
  "$out" || fail "-J token list: $out"
run 0 -b "iggy://$minted@$pw_addr" -L -v && no_secret "-L with the minted token"
run 0 -b "$pw_addr" -X "personal.access.token=$minted" -X list && no_secret "-X list with the minted token"
run 1 "${C[@]}" token create cat-token && no_secret "duplicate token create"
run 0 "${C[@]}" token delete cat-token && no_secret "token delete"
run 1 -b "iggy://$minted@$pw_addr" stream list && no_secret "a deleted token"
run 0 "${C[@]}" -J token create cat-token-2 never
python3 -c 'import json,sys; t = json.loads(sys.argv[1]); assert t["name"] == "cat-token-2" and len(t["token"]) > 16, t' \
  "$out" || fail "-J token create: $out"
minted=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$out")
run 0 "${C[@]}" token list && no_secret "token list (never expires)"
contains "$out" "never" "token list (never expires)"
run 0 "${C[@]}" token delete cat-token-2
run 0 "${C[@]}" stream delete sec && no_secret "stream delete"
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

# ---- consume never spins: a hostile server's polls repeat, wrap or come back empty. The
# consumer's position only moves forward and it drops what it already returned, so each
# message prints once, -e ends, and without -e the empty polls are paced.
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
# paced LOG SECS WHAT ARGS...: iggycat without -e polls 2..40 times in SECS seconds.
paced() {
  local log=$1 secs=$2 what=$3
  shift 3
  local polls0 polls
  polls0=$(grep -c 'code=100' "$log")
  run_limit "$secs" 124 "$@"
  polls=$(($(grep -c 'code=100' "$log") - polls0))
  [ "$polls" -ge 2 ] && [ "$polls" -le 40 ] ||
    fail "$what: $polls polls in $secs s, want 2..40"
}
hostile=$(dirname "$0")/hostile_poll_server.py
start_server "$tmp/stale.log" python3 "$hostile" stale
run_limit 10 0 -b "$srv_addr" -C -t 1/1 -e
[ "$out" = "stale-message" ] ||
  fail "stale poll -e: want the message once, got: $(head -n 3 <<<"$out")"
contains "$err" "consumed 1 message" "stale poll -e"
paced "$tmp/stale.log" 1.5 "stale poll without -e" -b "$srv_addr" -C -t 1/1
[ "$out" = "stale-message" ] ||
  fail "stale poll without -e: want the message once, got: $(head -n 3 <<<"$out")"
run_limit 10 0 -b "$srv_addr" -C -t 1/1 -o 0 -e
[ "$out" = "stale-message" ] || fail "stale poll -o 0: got: $(head -n 3 <<<"$out")"
run_limit 10 0 -b "$srv_addr" -C -t 1/1 -p 0 -o 1 -e
[ "$(wc -l <"$tmp/out")" -le 1 ] || fail "stale poll from offset 1 printed: $(head -n 3 <<<"$out")"
start_server "$tmp/wrap.log" python3 "$hostile" wrap
run_limit 10 0 -b "$srv_addr" -C -t 1/1 -e
[ "$out" = "last-offset" ] || fail "offset 2^64-1: want the message once, got: $(head -n 3 <<<"$out")"
run_limit 10 1 -b "$srv_addr" -C -t 1/1 -o end -e
contains "$err" "wrap" "-o end at offset 2^64-1"
run_limit 10 1 -b "$srv_addr" -C -t 1/1 -o -1 -e
contains "$err" "wrap" "-o -1 at offset 2^64-1"
start_server "$tmp/empty.log" python3 "$hostile" empty
run_limit 10 0 -b "$srv_addr" -C -t 1/1 -e
contains "$err" "consumed 0 messages" "empty poll -e"
# Without -e an empty partition is polled with a pause, not in a busy loop.
paced "$tmp/empty.log" 1.5 "-C without -e of an empty partition" -b "$srv_addr" -C -t 1/1

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "iggycat: all checks passed"
