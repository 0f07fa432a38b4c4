# concord_add_test(<name> SOURCES <src>... [LIBS <lib>...] [LABELS <label>...])
# Builds a GoogleTest executable and registers its tests with CTest at test
# time (DISCOVERY_MODE PRE_TEST), so LibTorch binaries never run during the build.
function(concord_add_test name)
  if(NOT CONCORD_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  concord_set_warnings(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 120
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
