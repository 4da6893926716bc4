#!/usr/bin/env bash
# Every include points down. The layers of src/, lowest first:
#   base    src/*.{c,h,inc}: allocation, errors, clock, configuration
#   pool    src/pool/        buffers
#   codec   src/codec/       sans-IO bytes
#   net     src/net/         sockets, TLS, the transport interface
#   client  src/client/      connections, sessions, the RPC path, the public API
#   mock    src/mock/        the mock server (a library of its own: never the client)
# Usage: check_layers.sh SRC_DIR     prints each upward include and exits 1 if there is one
#        check_layers.sh --self-test proves that an upward include is caught
set -uo pipefail

allowed() { # layer -> the layers it may include
  case "$1" in
    base) echo "base" ;;
    pool) echo "base pool" ;;
    codec) echo "base pool codec" ;;
    net) echo "base net" ;;
    client) echo "base pool codec net client" ;;
    mock) echo "base pool codec net mock" ;;
  esac
}

check() {
  local src=$1 bad=0 f layer inc target
  while IFS= read -r f; do
    case "${f#"$src"/}" in
      */*) layer=${f#"$src"/}; layer=${layer%%/*} ;;
      *) layer=base ;;
    esac
    [ -n "$(allowed "$layer")" ] || { echo "LAYERS: $f: unknown layer '$layer'"; bad=1; continue; }
    while IFS= read -r inc; do
      case "$inc" in
        */*) target=${inc%%/*} ;;
        *) target=base ;;
      esac
      if ! [[ " $(allowed "$layer") " == *" $target "* ]]; then
        echo "LAYERS: $f ($layer) includes \"$inc\" ($target): includes must point down"
        bad=1
      fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
  done < <(find "$src" -type f \( -name '*.c' -o -name '*.h' -o -name '*.inc' \) | sort)
  return $bad
}

if [ "${1:-}" = --self-test ]; then
  t=$(mktemp -d)
  trap 'rm -rf "$t"' EXIT
  mkdir -p "$t/net" "$t/client"
  printf '#include "client/iggy_client_internal.h"\n' >"$t/net/up.c"
  printf '#include "net/iggy_tcp.h"\n' >"$t/client/down.c"
  if out=$(check "$t"); then
    echo "FAIL: an upward include (net -> client) was not caught"
    exit 1
  fi
  [ "$(echo "$out" | wc -l)" -eq 1 ] && [[ "$out" == *"net/up.c"* ]] ||
    { echo "FAIL: expected exactly the net -> client include, got: $out"; exit 1; }
  echo "ok: the layering check catches an upward include and passes a downward one"
  exit 0
fi
src=${1:?usage: check_layers.sh SRC_DIR | --self-test}
if check "$src"; then
  echo "ok: every include under $src points down"
else
  exit 1
fi
