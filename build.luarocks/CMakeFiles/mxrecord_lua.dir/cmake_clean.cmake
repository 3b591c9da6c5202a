file(REMOVE_RECURSE
  "CMakeFiles/mxrecord_lua.dir/src/binding/lua_mxrecord.c.o"
  "CMakeFiles/mxrecord_lua.dir/src/binding/lua_mxrecord.c.o.d"
  "CMakeFiles/mxrecord_lua.dir/src/binding/lua_resolver.c.o"
  "CMakeFiles/mxrecord_lua.dir/src/binding/lua_resolver.c.o.d"
  "mxrecord/core.pdb"
  "mxrecord/core.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/mxrecord_lua.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
