#!/usr/bin/env bash
# Each public header compiles alone as C11 and as C++ (extern "C" guards, no missing includes).
set -euo pipefail
cxx=$1; inc=$2; gen=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for h in "$inc"/iggy/*.h; do
  name=$(basename "$h")
  printf '#include <iggy/%s>\nint main(void) { return 0; }\n' "$name" >"$tmp/t.c"
  cc -std=c11 -Wall -Wextra -Werror -I"$inc" -I"$gen" -c "$tmp/t.c" -o "$tmp/t.o"
  cp "$tmp/t.c" "$tmp/t.cpp"
  "$cxx" -std=c++11 -Wall -Wextra -Werror -I"$inc" -I"$gen" -c "$tmp/t.cpp" -o "$tmp/t.o"
done
echo "headers ok: $(ls "$inc"/iggy/*.h | wc -l) headers as C11 and C++11"
