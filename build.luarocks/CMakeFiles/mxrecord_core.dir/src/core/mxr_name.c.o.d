CMakeFiles/mxrecord_core.dir/src/core/mxr_name.c.o: \
 /work/main/src/core/mxr_name.c /usr/include/stdc-predef.h \
 /work/main/src/core/mxr_name.h \
 /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h
