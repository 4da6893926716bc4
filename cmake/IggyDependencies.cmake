# Every dependency through pkg-config, except mimalloc: Debian ships only its CMake config.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
if(IGGY_MIMALLOC)
  find_package(mimalloc REQUIRED CONFIG)
endif()
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(SNAPPY REQUIRED IMPORTED_TARGET snappy)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)

add_library(iggy_deps INTERFACE)
# Sanitizer and valgrind builds (IGGY_MIMALLOC=OFF) do not link mimalloc at all: its
# operator new/delete overrides would pair with the tools' interceptors (mismatched frees).
if(IGGY_MIMALLOC AND TARGET mimalloc)
  target_link_libraries(iggy_deps INTERFACE mimalloc)
elseif(IGGY_MIMALLOC)
  target_link_libraries(iggy_deps INTERFACE mimalloc-static)
endif()
target_link_libraries(iggy_deps INTERFACE
  PkgConfig::ZSTD PkgConfig::SNAPPY PkgConfig::LZ4 PkgConfig::XXHASH PkgConfig::OPENSSL
  Threads::Threads)
