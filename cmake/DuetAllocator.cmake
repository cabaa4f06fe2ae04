# The memory allocator of the programs that do the gateway's work (`duet` and the benchmarks that
# measure it): jemalloc from Debian's libjemalloc-dev by default, glibc's malloc with
# -DDUET_ALLOCATOR=system. Why: docs/architecture.md, "Memory allocator".
#
# Sanitizer builds keep glibc's malloc: AddressSanitizer brings its own allocator and cannot be
# combined with another one.
set(DUET_ALLOCATOR "jemalloc" CACHE STRING "Memory allocator of duet: jemalloc or system")
set_property(CACHE DUET_ALLOCATOR PROPERTY STRINGS jemalloc system)
if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=" AND DUET_ALLOCATOR STREQUAL "jemalloc")
  message(STATUS "Sanitizer build: duet uses glibc's malloc instead of jemalloc")
  set(DUET_ALLOCATOR "system" CACHE STRING "Memory allocator of duet: jemalloc or system" FORCE)
endif()

# duet::allocator: link it into an executable to give it DUET_ALLOCATOR.
add_library(duet_allocator INTERFACE)
add_library(duet::allocator ALIAS duet_allocator)
if(DUET_ALLOCATOR STREQUAL "jemalloc")
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  target_link_libraries(duet_allocator INTERFACE PkgConfig::JEMALLOC)
  target_compile_definitions(duet_allocator INTERFACE DUET_WITH_JEMALLOC)
elseif(NOT DUET_ALLOCATOR STREQUAL "system")
  message(FATAL_ERROR "DUET_ALLOCATOR must be jemalloc or system, not ${DUET_ALLOCATOR}")
endif()
