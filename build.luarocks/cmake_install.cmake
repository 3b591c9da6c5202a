# Install script for directory: /work/main

# Set the install prefix
if(NOT DEFINED CMAKE_INSTALL_PREFIX)
  set(CMAKE_INSTALL_PREFIX "/usr/local")
endif()
string(REGEX REPLACE "/$" "" CMAKE_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")

# Set the install configuration name.
if(NOT DEFINED CMAKE_INSTALL_CONFIG_NAME)
  if(BUILD_TYPE)
    string(REGEX REPLACE "^[^A-Za-z0-9_]+" ""
           CMAKE_INSTALL_CONFIG_NAME "${BUILD_TYPE}")
  else()
    set(CMAKE_INSTALL_CONFIG_NAME "Release")
  endif()
  message(STATUS "Install configuration: \"${CMAKE_INSTALL_CONFIG_NAME}\"")
endif()

# Set the component getting installed.
if(NOT CMAKE_INSTALL_COMPONENT)
  if(COMPONENT)
    message(STATUS "Install component: \"${COMPONENT}\"")
    set(CMAKE_INSTALL_COMPONENT "${COMPONENT}")
  else()
    set(CMAKE_INSTALL_COMPONENT)
  endif()
endif()

# Install shared libraries without execute permission?
if(NOT DEFINED CMAKE_INSTALL_SO_NO_EXE)
  set(CMAKE_INSTALL_SO_NO_EXE "1")
endif()

# Is this installation the result of a crosscompile?
if(NOT DEFINED CMAKE_CROSSCOMPILING)
  set(CMAKE_CROSSCOMPILING "FALSE")
endif()

# Set default install directory permissions.
if(NOT DEFINED CMAKE_OBJDUMP)
  set(CMAKE_OBJDUMP "/usr/bin/objdump")
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  if(EXISTS "$ENV{DESTDIR}/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lib/mxrecord/core.so" AND
     NOT IS_SYMLINK "$ENV{DESTDIR}/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lib/mxrecord/core.so")
    file(RPATH_CHECK
         FILE "$ENV{DESTDIR}/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lib/mxrecord/core.so"
         RPATH "")
  endif()
  list(APPEND CMAKE_ABSOLUTE_DESTINATION_FILES
   "/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lib/mxrecord/core.so")
  if(CMAKE_WARN_ON_ABSOLUTE_INSTALL_DESTINATION)
    message(WARNING "ABSOLUTE path INSTALL DESTINATION : ${CMAKE_ABSOLUTE_DESTINATION_FILES}")
  endif()
  if(CMAKE_ERROR_ON_ABSOLUTE_INSTALL_DESTINATION)
    message(FATAL_ERROR "ABSOLUTE path INSTALL DESTINATION forbidden (by caller): ${CMAKE_ABSOLUTE_DESTINATION_FILES}")
  endif()
  file(INSTALL DESTINATION "/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lib/mxrecord" TYPE MODULE FILES "/work/main/build.luarocks/mxrecord/core.so")
  if(EXISTS "$ENV{DESTDIR}/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lib/mxrecord/core.so" AND
     NOT IS_SYMLINK "$ENV{DESTDIR}/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lib/mxrecord/core.so")
    if(CMAKE_INSTALL_DO_STRIP)
      execute_process(COMMAND "/usr/bin/strip" "$ENV{DESTDIR}/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lib/mxrecord/core.so")
    endif()
  endif()
endif()

if(CMAKE_INSTALL_COMPONENT STREQUAL "Unspecified" OR NOT CMAKE_INSTALL_COMPONENT)
  list(APPEND CMAKE_ABSOLUTE_DESTINATION_FILES
   "/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lua/mxrecord/init.lua")
  if(CMAKE_WARN_ON_ABSOLUTE_INSTALL_DESTINATION)
    message(WARNING "ABSOLUTE path INSTALL DESTINATION : ${CMAKE_ABSOLUTE_DESTINATION_FILES}")
  endif()
  if(CMAKE_ERROR_ON_ABSOLUTE_INSTALL_DESTINATION)
    message(FATAL_ERROR "ABSOLUTE path INSTALL DESTINATION forbidden (by caller): ${CMAKE_ABSOLUTE_DESTINATION_FILES}")
  endif()
  file(INSTALL DESTINATION "/tmp/mxrecord-test.FLg2kH/tree-5.1/lib/luarocks/rocks-5.1/mxrecord/scm-1/lua/mxrecord" TYPE FILE FILES "/work/main/lua/mxrecord/init.lua")
endif()

if(CMAKE_INSTALL_COMPONENT)
  set(CMAKE_INSTALL_MANIFEST "install_manifest_${CMAKE_INSTALL_COMPONENT}.txt")
else()
  set(CMAKE_INSTALL_MANIFEST "install_manifest.txt")
endif()

string(REPLACE ";" "\n" CMAKE_INSTALL_MANIFEST_CONTENT
       "${CMAKE_INSTALL_MANIFEST_FILES}")
file(WRITE "/work/main/build.luarocks/${CMAKE_INSTALL_MANIFEST}"
     "${CMAKE_INSTALL_MANIFEST_CONTENT}")
