# IGGY_FUZZ (docs/FUZZING.md): the libFuzzer targets of tests/fuzz/. Every object of the
# build carries libFuzzer's coverage hooks and ASan + UBSan (abort on the first report);
# only the fuzz_<target> programs link libFuzzer's main. Debian's clang ships libFuzzer in
# libclang-rt-<version>-dev (tools/install-deps.sh installs and probes it).
option(IGGY_FUZZ "Build the libFuzzer targets of tests/fuzz/ (clang only; docs/FUZZING.md)" OFF)
if(IGGY_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "IGGY_FUZZ=ON needs clang (libFuzzer), but the C compiler is "
                        "${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER}: configure with CC=clang")
  endif()
  if(IGGY_SANITIZE)
    message(FATAL_ERROR "IGGY_FUZZ=ON brings its own sanitizers (address,undefined): "
                        "leave IGGY_SANITIZE empty")
  endif()
  if(IGGY_MIMALLOC)
    message(FATAL_ERROR "IGGY_FUZZ=ON needs the system allocator under ASan: add -DIGGY_MIMALLOC=OFF")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(IGGY_ASAN=1)
endif()
