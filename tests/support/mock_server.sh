# Sourced by shell tests: start a standalone iggy-mock-server on an ephemeral loopback port.
#   start_mock_server BIN_DIR TMP_DIR [ARGS...]   sets MOCK_ADDR and MOCK_PID (returns 1 on
#                                     failure); ARGS go to iggy-mock-server (e.g. --tls-cert)
#   stop_mock_server                    stops it (safe to call twice)
MOCK_PID=
MOCK_ADDR=

start_mock_server() {
  local bin=$1 tmp=$2
  "$bin/iggy-mock-server" --listen 127.0.0.1:0 "${@:3}" >"$tmp/mock.out" 2>&1 &
  MOCK_PID=$!
  for _ in $(seq 1 100); do
    MOCK_ADDR=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$tmp/mock.out" | head -n 1)
    [ -n "$MOCK_ADDR" ] && return 0
    kill -0 "$MOCK_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: iggy-mock-server printed no address:"
  cat "$tmp/mock.out"
  return 1
}

stop_mock_server() {
  if [ -n "$MOCK_PID" ]; then
    kill "$MOCK_PID" 2>/dev/null
    wait "$MOCK_PID" 2>/dev/null
    MOCK_PID=
  fi
}
