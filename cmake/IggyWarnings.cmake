add_library(iggy_warnings INTERFACE)
target_compile_options(iggy_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
  -Wvla -Wformat=2 $<$<BOOL:${IGGY_WERROR}>:-Werror>)

if(IGGY_SANITIZE)
  string(REPLACE "," ";" _san_list "${IGGY_SANITIZE}")
  set(_san_flags -fsanitize=${IGGY_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_compile_options(${_san_flags})
  add_link_options(-fsanitize=${IGGY_SANITIZE})
  if("address" IN_LIST _san_list)
    add_compile_definitions(IGGY_ASAN=1)
  endif()
endif()
