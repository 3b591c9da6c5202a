# Empty dependencies file for mxrecord_lua.
# This may be replaced when dependencies are built.
