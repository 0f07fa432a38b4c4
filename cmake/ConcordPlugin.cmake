# concord_add_plugin(<name> SOURCES <src>... [LIBS <lib>...])
#
# Builds a Concord plugin: a MODULE library lib<name>.so with hidden visibility
# that exports only the two extern "C" entry points (version script), placed
# with its plugin.toml in ${CONCORD_PLUGIN_OUTPUT_DIR}/<name>/. The folder's
# plugin.toml must name the same plugin and library.
# Source: reference/cpp-style-anchors.md §3 (TensorRT/class_loader link flags).
set(CONCORD_PLUGIN_EXPORT_MAP ${CMAKE_CURRENT_LIST_DIR}/plugin_exports.map)

function(concord_add_plugin name)
  cmake_parse_arguments(ARG "NO_MANIFEST_CHECK" "MANIFEST;OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  set(target concord_plugin_${name})
  if(NOT ARG_MANIFEST)
    set(ARG_MANIFEST ${CMAKE_CURRENT_SOURCE_DIR}/plugin.toml)
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${CONCORD_PLUGIN_OUTPUT_DIR}/${name})
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE concord::core ${TORCH_LIBRARIES} ${ARG_LIBS})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name}
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    BUILD_RPATH_USE_ORIGIN ON)
  target_link_options(${target} PRIVATE
    -Wl,--no-undefined -Wl,--exclude-libs,ALL
    -Wl,--version-script=${CONCORD_PLUGIN_EXPORT_MAP})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${CONCORD_PLUGIN_EXPORT_MAP})
  concord_set_warnings(${target})
  if(EXISTS ${ARG_MANIFEST})
    if(NOT ARG_NO_MANIFEST_CHECK)
      file(STRINGS ${ARG_MANIFEST} lines REGEX "^(name|library) *=")
      set(expect_name "name = \"${name}\"")
      set(expect_lib "library = \"lib${name}.so\"")
      if(NOT "${expect_name}" IN_LIST lines OR NOT "${expect_lib}" IN_LIST lines)
        message(FATAL_ERROR "${ARG_MANIFEST}: expected the lines '${expect_name}' and "
                            "'${expect_lib}', found: ${lines}")
      endif()
    endif()
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E copy_if_different ${ARG_MANIFEST} ${ARG_OUTPUT_DIR}/plugin.toml
      VERBATIM)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${ARG_MANIFEST})
  endif()
  add_library(concord::plugin::${name} ALIAS ${target})
endfunction()
