#!/usr/bin/env bash
# Every program under examples/ runs against a standalone iggy-mock-server (or the real server
# at IGGY_TEST_SERVER) and exits 0.
# Usage: check_examples.sh BIN_DIR
set -uo pipefail
bin=${1:?usage: check_examples.sh BIN_DIR}
tmp=$(mktemp -d)
. "$(dirname "$0")/support/mock_server.sh"
trap 'stop_mock_server; rm -rf "$tmp"' EXIT
if [ -n "${IGGY_TEST_SERVER:-}" ]; then
  addr=$IGGY_TEST_SERVER
else
  start_mock_server "$bin" "$tmp" || exit 1
  addr=$MOCK_ADDR
fi
status=0
ran=0
for src in "$(dirname "$0")"/../examples/*.c; do
  name=$(basename "$src" .c)
  if ! "$bin/example_$name" "$addr"; then
    echo "FAIL: example $name"
    status=1
  fi
  ran=$((ran + 1))
done
echo "examples: $ran run, $([ $status -eq 0 ] && echo all passed || echo some failed)"
exit $status
