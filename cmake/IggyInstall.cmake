# What `cmake --install` puts under the prefix (docs/INSTALLING.md):
#   include/iggy/*.h                      the public headers (mock.h too), version.h generated
#   LIBDIR/libiggy.so.X.Y.Z, libiggy.a    the shared and the static library
#   LIBDIR/libiggy_mock.a                 the mock server for tests (outside the ABI promise)
#   bin/iggycat, bin/iggy-mock-server     when the tools are built (statically linked to libiggy)
#   LIBDIR/cmake/iggy/                    find_package(iggy): iggy::iggy, iggy::iggy_static,
#                                         iggy::iggy_mock
#   LIBDIR/pkgconfig/iggy.pc, iggy-static.pc, iggy-mock.pc
#   share/doc/iggy/                       LICENSE, NOTICE, README.md, CHANGELOG.md
include(CMakePackageConfigHelpers)
set(IGGY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/iggy)

# Two export sets, so that find_package(iggy COMPONENTS shared) needs none of the static
# archive's dependencies (iggy_deps: the imported targets the build found, re-created by
# iggyConfig.cmake).
install(TARGETS iggy EXPORT iggySharedTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS iggy_deps iggy_static iggy_mock EXPORT iggyStaticTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/iggy DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/iggy/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/iggy)
foreach(tool iggycat iggy-mock-server)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
install(FILES LICENSE NOTICE README.md CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The CMake package. Before 1.0 a minor release may break the API (README, "Versions and
# ABI"), so find_package(iggy 0.1) accepts 0.1.x only; from 1.0 on, the same major.
install(EXPORT iggySharedTargets NAMESPACE iggy:: DESTINATION ${IGGY_CMAKE_DIR})
install(EXPORT iggyStaticTargets NAMESPACE iggy:: DESTINATION ${IGGY_CMAKE_DIR})
set(IGGY_CONFIG_MIMALLOC_NOTE "")
if(IGGY_MIMALLOC)
  set(IGGY_CONFIG_MIMALLOC_NOTE ", mimalloc")
endif()
configure_package_config_file(cmake/iggyConfig.cmake.in ${PROJECT_BINARY_DIR}/iggyConfig.cmake
  INSTALL_DESTINATION ${IGGY_CMAKE_DIR})
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(IGGY_VERSION_COMPAT SameMinorVersion)
else()
  set(IGGY_VERSION_COMPAT SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/iggyConfigVersion.cmake
  COMPATIBILITY ${IGGY_VERSION_COMPAT})
install(FILES ${PROJECT_BINARY_DIR}/iggyConfig.cmake ${PROJECT_BINARY_DIR}/iggyConfigVersion.cmake
  DESTINATION ${IGGY_CMAKE_DIR})

# pkg-config. What the static archive needs besides the pkg-config modules: mimalloc (Debian
# ships no .pc for it) and the thread library.
set(IGGY_PC_REQUIRES)
foreach(_pair IN LISTS IGGY_PKG_MODULES)
  string(REGEX REPLACE "^[^=]*=" "" _module "${_pair}")
  list(APPEND IGGY_PC_REQUIRES ${_module})
endforeach()
list(JOIN IGGY_PC_REQUIRES " " IGGY_PC_REQUIRES)
set(IGGY_PC_LIBS_PRIVATE)
if(IGGY_MIMALLOC)
  foreach(_t mimalloc mimalloc-static)
    if(TARGET ${_t})
      get_target_property(_type ${_t} TYPE)
      get_target_property(_loc ${_t} LOCATION)
      break()
    endif()
  endforeach()
  get_filename_component(_dir "${_loc}" DIRECTORY)
  if(_type STREQUAL "STATIC_LIBRARY")
    list(APPEND IGGY_PC_LIBS_PRIVATE "${_loc}")
  elseif(_dir IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
    list(APPEND IGGY_PC_LIBS_PRIVATE -lmimalloc)
  else()
    list(APPEND IGGY_PC_LIBS_PRIVATE "-L${_dir}" -lmimalloc)
  endif()
endif()
if(CMAKE_THREAD_LIBS_INIT)
  list(APPEND IGGY_PC_LIBS_PRIVATE ${CMAKE_THREAD_LIBS_INIT})
else()
  list(APPEND IGGY_PC_LIBS_PRIVATE -pthread)
endif()
list(JOIN IGGY_PC_LIBS_PRIVATE " " IGGY_PC_LIBS_PRIVATE)

# The .pc files hold absolute paths. prefix is written at install time, from the prefix actually
# installed to (cmake --install --prefix P included); libdir is ${prefix}/LIBDIR, i.e.
# CMAKE_INSTALL_FULL_LIBDIR when P is the configured prefix (LIBDIR itself when absolute).
foreach(_v LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_v}}")
    set(IGGY_PC_${_v} "${CMAKE_INSTALL_${_v}}")
  else()
    set(IGGY_PC_${_v} "\${prefix}/${CMAKE_INSTALL_${_v}}")
  endif()
endforeach()
set(IGGY_PC_PREFIX "@IGGY_PC_PREFIX@") # kept for the install-time pass
set(IGGY_PC_FILES)
foreach(_pc iggy iggy-static iggy-mock)
  configure_file(cmake/${_pc}.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${_pc}.pc.in @ONLY)
  list(APPEND IGGY_PC_FILES ${PROJECT_BINARY_DIR}/pkgconfig/${_pc}.pc)
endforeach()
install(CODE "
  set(IGGY_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  foreach(_pc iggy iggy-static iggy-mock)
    configure_file(\"${PROJECT_BINARY_DIR}/pkgconfig/\${_pc}.pc.in\"
                   \"${PROJECT_BINARY_DIR}/pkgconfig/\${_pc}.pc\" @ONLY)
  endforeach()")
install(FILES ${IGGY_PC_FILES} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
