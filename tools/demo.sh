#!/usr/bin/env bash
# The demo: install what is needed, build, then produce and consume 10 000 messages against
# the bundled mock server (or the real server at $IGGY_ADDR) and print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --target iggy-demo >/dev/null
exec build/bin/iggy-demo "$@"
