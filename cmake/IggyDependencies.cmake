# Every dependency through pkg-config, except mimalloc: Debian ships only its CMake config.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(mimalloc REQUIRED CONFIG)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(SNAPPY REQUIRED IMPORTED_TARGET snappy)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)

add_library(iggy_deps INTERFACE)
if(TARGET mimalloc)
  target_link_libraries(iggy_deps INTERFACE mimalloc)
else()
  target_link_libraries(iggy_deps INTERFACE mimalloc-static)
endif()
target_link_libraries(iggy_deps INTERFACE
  PkgConfig::ZSTD PkgConfig::SNAPPY PkgConfig::LZ4 PkgConfig::XXHASH PkgConfig::OPENSSL
  Threads::Threads)
