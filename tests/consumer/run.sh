#!/usr/bin/env bash
# libiggy as its users get it: installed into a temporary prefix, then tests/consumer/consumer.c
# built and run against it, with the shared library (against the installed iggy-mock-server)
# and with the static one (and the embedded mock), three ways:
#   find_package   find_package(iggy): iggy::iggy, iggy::iggy_static + iggy::iggy_mock; and
#                  COMPONENTS shared with the static archive's dependencies made unfindable
#   pkg-config     iggy (shared), iggy-static and iggy-mock (with and without --static)
#   add_subdirectory  the source tree as a subproject, with Check hidden from pkg-config
# Also: the installed files, the SONAME, the tools run from the prefix, the .pc libdir.
# Usage: run.sh [BUILD_DIR]   install from an existing build (the package_consumer test passes
#        its own); without it, configure and build libiggy from scratch in a temporary directory.
#        CC picks the compiler, IGGY_CONSUMER_JOBS the build jobs (2), IGGY_CONSUMER_KEEP=1 keeps
#        the temporary directory (logs, builds, prefix) for a look afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-}
jobs=${IGGY_CONSUMER_JOBS:-2}
cc=${CC:-cc}
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)

tmp=$(mktemp -d)
. "$src/tests/support/mock_server.sh"
cleanup() {
  stop_mock_server
  [ -n "${IGGY_CONSUMER_KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}
step() { echo "--- $*"; }
configure() { # source dir, build dir, args...: a user's configure, quiet unless it fails
  local s=$1 b=$2
  shift 2
  cmake -S "$s" -B "$b" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$b.log" 2>&1 ||
    { cat "$b.log"; return 1; }
}
build_quiet() { # build dir
  nice -n 10 cmake --build "$1" -j "$jobs" >"$1.build.log" 2>&1 || { tail -n 50 "$1.build.log"; return 1; }
}
needs_libiggy() { readelf -d "$1" | grep -q 'NEEDED.*\[libiggy\.so'; }

prefix=$tmp/prefix
if [ -z "$build" ]; then
  step "configure and build libiggy from scratch (tests off)"
  build=$tmp/libiggy-build
  configure "$src" "$build" -DIGGY_BUILD_TESTS=OFF || fail "configuring libiggy"
  build_quiet "$build" || fail "building libiggy"
fi
step "cmake --install $build --prefix <tmp>"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; fail "cmake --install"; }

pc=$(find "$prefix" -name iggy.pc -path '*/pkgconfig/*')
[ -n "$pc" ] || fail "no iggy.pc installed"
libdir=$(dirname "$(dirname "$pc")")
version=$(sed -n 's/^Version: //p' "$pc")
major_minor=${version%.*}
for f in include/iggy/iggy.h include/iggy/version.h include/iggy/mock.h bin/iggycat \
  bin/iggy-mock-server "${libdir#"$prefix"/}/libiggy.a" "${libdir#"$prefix"/}/libiggy_mock.a" \
  "${libdir#"$prefix"/}/libiggy.so" "${libdir#"$prefix"/}/cmake/iggy/iggyConfig.cmake" \
  "${libdir#"$prefix"/}/cmake/iggy/iggyConfigVersion.cmake" \
  "${libdir#"$prefix"/}/pkgconfig/iggy-static.pc" "${libdir#"$prefix"/}/pkgconfig/iggy-mock.pc" \
  share/doc/iggy/LICENSE; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# SONAME policy (README): major.minor before 1.0, the major alone from 1.0 on.
if [ "${version%%.*}" = 0 ]; then want_soname=libiggy.so.$major_minor; else want_soname=libiggy.so.${version%%.*}; fi
soname=$(readelf -d "$libdir/libiggy.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "$want_soname" ] || fail "SONAME $soname, want $want_soname"
[ -e "$libdir/$soname" ] || fail "no $soname link in $libdir"
echo "installed libiggy $version (SONAME $soname) into $prefix, libdir ${libdir#"$prefix"/}"

step "installed tools run from the prefix"
env -u LD_LIBRARY_PATH "$prefix/bin/iggycat" -V | grep -q "$version" || fail "iggycat -V does not say $version"
start_mock_server "$prefix/bin" "$tmp" || fail "the installed iggy-mock-server did not start"
addr=$MOCK_ADDR
"$prefix/bin/iggycat" -b "$addr" -q stream create tool-check >/dev/null || fail "iggycat stream create"
"$prefix/bin/iggycat" -b "$addr" -L | grep -q tool-check || fail "iggycat -L does not list the stream"
echo "iggycat and iggy-mock-server (at $addr) work from the prefix"

run_pair() { # label, shared binary, static binary
  "$2" "$addr" || fail "$1: the shared-library consumer failed"
  needs_libiggy "$2" || fail "$1: $2 does not link libiggy.so"
  readelf -d "$2" | grep -q "NEEDED.*\[$soname\]" || fail "$1: $2 does not need $soname"
  "$3" || fail "$1: the static consumer failed"
  ! needs_libiggy "$3" || fail "$1: $3 links libiggy.so, not the archive"
  echo "$1: shared and static consumers OK"
}

step "find_package(iggy)"
configure "$here" "$tmp/fp" -DCMAKE_PREFIX_PATH="$prefix" -DIGGY_CONSUMER_MODE=find_package ||
  fail "find_package: configure"
build_quiet "$tmp/fp" || fail "find_package: build"
run_pair find_package "$tmp/fp/consumer_shared" "$tmp/fp/consumer_static"

step "find_package(iggy COMPONENTS shared) without the static archive's dependencies"
hide=(-DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON -DCMAKE_DISABLE_FIND_PACKAGE_mimalloc=ON
      -DCMAKE_DISABLE_FIND_PACKAGE_Threads=ON)
configure "$here/shared_only" "$tmp/comp" -DCMAKE_PREFIX_PATH="$prefix" "${hide[@]}" ||
  fail "COMPONENTS shared needs more than the shared library"
build_quiet "$tmp/comp" || fail "COMPONENTS shared: build"
"$tmp/comp/consumer_shared_only" "$addr" || fail "COMPONENTS shared: the consumer failed"
# With no pkg-config module to be found, COMPONENTS static is refused with the reason.
mkdir -p "$tmp/no-modules"
if PKG_CONFIG_LIBDIR=$tmp/no-modules PKG_CONFIG_PATH= configure "$here/shared_only" \
  "$tmp/comp-static" -DCMAKE_PREFIX_PATH="$prefix" -DIGGY_COMPONENTS=static >/dev/null; then
  fail "COMPONENTS static was found although its dependencies cannot be"
fi
grep -q "needs the pkg-config module libzstd" "$tmp/comp-static.log" ||
  { cat "$tmp/comp-static.log"; fail "COMPONENTS static failed without naming the missing module"; }
echo "COMPONENTS shared: OK without looking for them; COMPONENTS static: refused without them"

step "pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
[ "$(pkg-config --variable=libdir iggy)" = "$libdir" ] ||
  fail "iggy.pc libdir $(pkg-config --variable=libdir iggy), installed in $libdir"
[ "$(pkg-config --modversion iggy)" = "$version" ] || fail "iggy.pc version"
# shellcheck disable=SC2046 # pkg-config's output is a list of words
"$cc" -std=c11 "$here/consumer.c" $(pkg-config --cflags --libs iggy) -Wl,-rpath,"$libdir" \
  -o "$tmp/pc_shared" || fail "pkg-config iggy: compile"
# shellcheck disable=SC2046
"$cc" -std=c11 -DCONSUMER_EMBEDDED_MOCK "$here/consumer.c" \
  $(pkg-config --static --cflags --libs iggy-mock) -o "$tmp/pc_static" ||
  fail "pkg-config --static iggy-mock: compile"
run_pair pkg-config "$tmp/pc_shared" "$tmp/pc_static"
# shellcheck disable=SC2046
"$cc" -std=c11 "$here/consumer.c" $(pkg-config --cflags --libs iggy-static) -o "$tmp/pc_static2" ||
  fail "pkg-config iggy-static (without --static): compile"
"$tmp/pc_static2" "$addr" || fail "pkg-config iggy-static: the consumer failed"
! needs_libiggy "$tmp/pc_static2" || fail "pkg-config iggy-static linked libiggy.so"
# iggy.pc's private part (--static) names everything iggy-static.pc links.
for w in $(pkg-config --libs iggy-static); do
  case "$w" in */libiggy.a) continue ;; esac
  pkg-config --static --libs iggy | tr ' ' '\n' | grep -qxF -- "$w" ||
    fail "pkg-config --static iggy lacks $w (iggy-static has it)"
done
echo "pkg-config: iggy-static without --static OK; iggy --static lists the archive's dependencies"

step "add_subdirectory(libiggy), Check hidden"
mkdir -p "$tmp/pc-nocheck"
IFS=: read -r -a pc_dirs <<<"$(pkg-config --variable pc_path pkg-config)"
for d in "${pc_dirs[@]}"; do
  [ -d "$d" ] || continue
  for f in "$d"/*.pc; do
    [ -e "$f" ] && [ "$(basename "$f")" != check.pc ] && ln -sf "$f" "$tmp/pc-nocheck/"
  done
done
! PKG_CONFIG_LIBDIR=$tmp/pc-nocheck PKG_CONFIG_PATH= pkg-config --exists check ||
  fail "could not hide Check from pkg-config"
PKG_CONFIG_LIBDIR=$tmp/pc-nocheck PKG_CONFIG_PATH= configure "$here" "$tmp/sub" \
  -DIGGY_CONSUMER_MODE=subdirectory -DIGGY_SOURCE_DIR="$src" || fail "add_subdirectory: configure"
build_quiet "$tmp/sub" || fail "add_subdirectory: build"
run_pair add_subdirectory "$tmp/sub/consumer_shared" "$tmp/sub/consumer_static"

echo "package consumer: every way passed"
