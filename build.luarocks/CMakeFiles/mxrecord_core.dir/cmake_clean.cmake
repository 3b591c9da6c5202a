file(REMOVE_RECURSE
  "CMakeFiles/mxrecord_core.dir/src/core/mxr_answer.c.o"
  "CMakeFiles/mxrecord_core.dir/src/core/mxr_answer.c.o.d"
  "CMakeFiles/mxrecord_core.dir/src/core/mxr_name.c.o"
  "CMakeFiles/mxrecord_core.dir/src/core/mxr_name.c.o.d"
  "CMakeFiles/mxrecord_core.dir/src/core/mxr_resolver.c.o"
  "CMakeFiles/mxrecord_core.dir/src/core/mxr_resolver.c.o.d"
  "libmxrecord_core.a"
  "libmxrecord_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/mxrecord_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
