
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/binding/lua_mxrecord.c" "CMakeFiles/mxrecord_lua.dir/src/binding/lua_mxrecord.c.o" "gcc" "CMakeFiles/mxrecord_lua.dir/src/binding/lua_mxrecord.c.o.d"
  "/work/main/src/binding/lua_resolver.c" "CMakeFiles/mxrecord_lua.dir/src/binding/lua_resolver.c.o" "gcc" "CMakeFiles/mxrecord_lua.dir/src/binding/lua_resolver.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build.luarocks/CMakeFiles/mxrecord_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
