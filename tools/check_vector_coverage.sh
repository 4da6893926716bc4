#!/usr/bin/env bash
# Every golden vector in ../shared/protocol/vectors.txt must be named by some test.
set -euo pipefail
cd "$(dirname "$0")/.."
vectors=${1:-../shared/protocol/vectors.txt}
missing=0
for name in $(awk '/^== /{print $2}' "$vectors"); do
  if ! grep -rqw -- "$name" tests/; then
    echo "vector not exercised by any test: $name"
    missing=$((missing + 1))
  fi
done
total=$(grep -c '^== ' "$vectors")
echo "vector coverage: $((total - missing)) of $total vectors named by tests"
[ "$missing" -eq 0 ]
