# Empty dependencies file for mxrecord_core.
# This may be replaced when dependencies are built.
