#!/usr/bin/env bash
# Every program under examples/ runs twice, and each run must exit 0 and print on stdout the
# lines its expectations below name (an example without expectations fails; the library's log
# lines, on stderr by default, are shown with a failure but not checked):
#   1. self-contained: no address and no IGGY_ADDR, so it starts the mock in its own process
#      (the TLS example with a certificate it makes);
#   2. against a server named by address: a standalone iggy-mock-server (plus a TLS one with a
#      certificate made here by openssl, for the TLS example), or the real server at
#      IGGY_TEST_SERVER (the TLS example then runs self-contained only).
# Usage: check_examples.sh BIN_DIR
set -uo pipefail
bin=${1:?usage: check_examples.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
. "$here/support/mock_server.sh"
TLS_PID=
trap 'stop_mock_server; [ -n "$TLS_PID" ] && kill "$TLS_PID" 2>/dev/null; rm -rf "$tmp"' EXIT

# The lines (extended regular expressions, one per line) an example's output must contain.
expect() {
  case $1 in
  getting_started)
    printf '%s\n' '^partition [0-9]+ holds 3 messages for customer-7:$' '^  offset 0: created$' \
      '^  offset 1: paid$' '^  offset 2: shipped$' ;;
  producer)
    printf '%s\n' '^producer: 10000 delivered, 0 failed; last offsets [0-9]+ [0-9]+ [0-9]+$' ;;
  consumer)
    printf '%s\n' '^first : partition 0 offset 4: p0-m4$' '^first : partition 1 offset 0: p1-m0$' \
      '^first : partition 1 stored 0 lag 4$' \
      '^server: consumer 7 partition 0 stored offset 4 of 4$' \
      '^server: consumer 7 partition 1 stored offset 0 of 4$' \
      '^second: partition 1 offset 1: p1-m1$' '^second: partition 1 offset 4: p1-m4$' \
      '^first read 6, second read 4 of 10 messages$' ;;
  consumer_group)
    printf '%s\n' '^first : assigned 0 1 2 3$' '^second: assigned( [0-3])+$' \
      '^first : revoked ( [0-3])+$' '^second: revoked ( [0-3])+$' \
      '^read [0-9]+ jobs \(first [1-9][0-9]*, second [1-9][0-9]*\)$' ;;
  admin)
    printf '%s\n' '^topic orders: 4 partitions, expiry 86400 s, max size 1073741824 bytes$' \
      '^stream admin-example: id [0-9]+, 1 topic\(s\)$' \
      '^user reader: id [0-9]+, active yes, may poll yes, may send no$' \
      '^reader creating a stream: IGGY_ERR_UNAUTHORIZED$' '^token ci-token: never expires$' \
      '^logged in with the token as user 0 ' \
      '^deleted token: IGGY_ERR_INVALID_PERSONAL_ACCESS_TOKEN$' ;;
  headers)
    printf '%s\n' '^message order 1 has 15 headers:$' '^  raw = cafe01$' '^  string = "héllo"$' \
      '^  bool = true$' '^  int8 = -5$' '^  int16 = -300$' '^  int32 = -70000$' \
      '^  int64 = -9223372036854775808$' '^  int128 = 0xffffffffffffffffffffffffffffffff$' \
      '^  uint8 = 200$' '^  uint16 = 65535$' '^  uint32 = 4000000000$' \
      '^  uint64 = 18446744073709551615$' '^  uint128 = 0x00000000000000010000000000000001$' \
      '^  float32 = 3.25$' '^  float64 = -0.5$' ;;
  compression)
    # The 8 KiB text shrinks below 1000 bytes with every codec; "ok" stays raw.
    printf '%s\n' '^offset 0: zstd, [0-9]{1,3} bytes stored, 8192 bytes read back, identical$' \
      '^offset 1: none, 2 bytes stored, 2 bytes read back, identical$' \
      '^offset 2: snappy, [0-9]{1,3} bytes stored, 8192 bytes read back, identical$' \
      '^offset 4: lz4, [0-9]{1,3} bytes stored, 8192 bytes read back, identical$' \
      '^offset 5: none, 2 bytes stored, 2 bytes read back, identical$' ;;
  encryption)
    printf '%s\n' '^right key: 20 bytes, error IGGY_OK, plaintext "card 4111-1111-1111"$' \
      '^no key   : [0-9]+ bytes, error IGGY_OK, not the plaintext$' \
      '^wrong key: [0-9]+ bytes, error IGGY_ERR_CANNOT_DECRYPT_DATA, not the plaintext$' ;;
  zero_alloc_poll)
    printf '%s\n' '^read 2300 messages in 23 polls of 100$' \
      '^allocations per poll_into after 3 warm-up polls: min ([0-9]+), max \1 \(flat\)$' \
      '^allocations of one iggy_poll_messages: [1-9][0-9]*$' ;;
  tls)
    printf '%s\n' '^without the CA: IGGY_ERR__TLS_VERIFY \(fatal: yes\)$' \
      '^with the CA: sent and polled "hello over TLS"$' ;;
  esac
}

status=0
runs=0
# run_example NAME HOW ARGS...: run it, then check its exit code and every expected line.
run_example() {
  local name=$1 how=$2 out="$tmp/$1.$2.out" pattern first
  shift 2
  runs=$((runs + 1))
  if ! env -u IGGY_ADDR -u IGGY_TLS_ADDR -u IGGY_TLS_CA timeout 120 "$bin/example_$name" "$@" \
    >"$out" 2>"$out.err"; then
    echo "FAIL: example $name ($how) exited non-zero:"
    sed 's/^/  | /' "$out" "$out.err"
    status=1
    return
  fi
  first=$(head -n 1 "$out")
  case $how in
  embedded) [[ $first == "server: embedded mock"* ]] ;;
  *) [ "$first" = "server: $1" ] ;;
  esac || { echo "FAIL: example $name ($how) first line: $first"; status=1; }
  while IFS= read -r pattern; do
    if ! grep -Eq -- "$pattern" "$out"; then
      echo "FAIL: example $name ($how) printed no line matching: $pattern"
      sed 's/^/  | /' "$out" "$out.err"
      status=1
    fi
  done < <(expect "$name")
  echo "ok: example $name ($how), $(wc -l <"$out") lines"
}

# The servers of run 2.
if [ -n "${IGGY_TEST_SERVER:-}" ]; then
  addr=$IGGY_TEST_SERVER
  tls_addr=
else
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >"$tmp/openssl.out" 2>&1 ||
    { cat "$tmp/openssl.out"; echo "FAIL: openssl cannot make a certificate"; exit 1; }
  start_mock_server "$bin" "$tmp" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" || exit 1
  tls_addr=$MOCK_ADDR
  TLS_PID=$MOCK_PID
  MOCK_PID=
  start_mock_server "$bin" "$tmp" || exit 1
  addr=$MOCK_ADDR
fi

for src in "$here"/../examples/*.c; do
  name=$(basename "$src" .c)
  if [ -z "$(expect "$name")" ]; then
    echo "FAIL: example $name has no expected output in check_examples.sh"
    status=1
    continue
  fi
  run_example "$name" embedded
  if [ "$name" = tls ]; then
    [ -n "$tls_addr" ] && run_example "$name" "$tls_addr" "$tls_addr" "$tmp/cert.pem" localhost
  else
    run_example "$name" "$addr" "$addr"
  fi
done
echo "examples: $runs runs, $([ $status -eq 0 ] && echo all passed || echo some failed)"
exit $status
