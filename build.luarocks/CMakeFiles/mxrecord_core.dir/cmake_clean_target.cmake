file(REMOVE_RECURSE
  "libmxrecord_core.a"
)
