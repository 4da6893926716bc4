# Every dependency through pkg-config, except mimalloc: Debian ships only its CMake config.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
if(IGGY_MIMALLOC)
  find_package(mimalloc REQUIRED CONFIG)
endif()
# PREFIX=module: each becomes the imported target PkgConfig::PREFIX. The installed package finds
# the same list again (cmake/iggyConfig.cmake.in) and names it in iggy.pc (cmake/IggyInstall.cmake).
set(IGGY_PKG_MODULES ZSTD=libzstd SNAPPY=snappy LZ4=liblz4 XXHASH=libxxhash OPENSSL=openssl)
set(IGGY_PKG_TARGETS)
foreach(_pair IN LISTS IGGY_PKG_MODULES)
  string(REPLACE "=" ";" _pair "${_pair}")
  list(GET _pair 0 _prefix)
  list(GET _pair 1 _module)
  pkg_check_modules(${_prefix} REQUIRED IMPORTED_TARGET ${_module})
  list(APPEND IGGY_PKG_TARGETS PkgConfig::${_prefix})
endforeach()

add_library(iggy_deps INTERFACE)
# Sanitizer and valgrind builds (IGGY_MIMALLOC=OFF) do not link mimalloc at all: its
# operator new/delete overrides would _pair with the tools' interceptors (mismatched frees).
if(IGGY_MIMALLOC AND TARGET mimalloc)
  target_link_libraries(iggy_deps INTERFACE mimalloc)
elseif(IGGY_MIMALLOC)
  target_link_libraries(iggy_deps INTERFACE mimalloc-static)
endif()
target_link_libraries(iggy_deps INTERFACE ${IGGY_PKG_TARGETS} Threads::Threads)
