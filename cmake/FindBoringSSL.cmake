# FindBoringSSL: Debian's android-libboringssl-dev, which ships neither
# pkg-config nor CMake files. Headers live in /usr/include/android, libraries
# in /usr/lib/<multiarch>/android.
#
# Defines the imported targets BoringSSL::crypto and BoringSSL::ssl, whose
# users get an RPATH to the private library directory. Configuration fails
# unless the headers found define OPENSSL_IS_BORINGSSL, so the system
# OpenSSL can never be picked up by mistake.

find_path(BoringSSL_INCLUDE_DIR openssl/is_boringssl.h
  HINTS ${BoringSSL_ROOT}/include
  PATHS /usr/include/android
  NO_DEFAULT_PATH)
find_library(BoringSSL_CRYPTO_LIBRARY NAMES crypto
  HINTS ${BoringSSL_ROOT}/lib
  PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/android
  NO_DEFAULT_PATH)
find_library(BoringSSL_SSL_LIBRARY NAMES ssl
  HINTS ${BoringSSL_ROOT}/lib
  PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/android
  NO_DEFAULT_PATH)

if(BoringSSL_INCLUDE_DIR)
  include(CheckSymbolExists)
  set(CMAKE_REQUIRED_INCLUDES "${BoringSSL_INCLUDE_DIR}")
  check_symbol_exists(OPENSSL_IS_BORINGSSL "openssl/base.h"
                      BoringSSL_IS_BORINGSSL)
  unset(CMAKE_REQUIRED_INCLUDES)
  if(NOT BoringSSL_IS_BORINGSSL)
    message(FATAL_ERROR
      "${BoringSSL_INCLUDE_DIR}/openssl/base.h does not define "
      "OPENSSL_IS_BORINGSSL: refusing to build against another OpenSSL")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(BoringSSL REQUIRED_VARS
  BoringSSL_INCLUDE_DIR BoringSSL_CRYPTO_LIBRARY BoringSSL_SSL_LIBRARY)

if(BoringSSL_FOUND AND NOT TARGET BoringSSL::crypto)
  get_filename_component(BoringSSL_LIBRARY_DIR "${BoringSSL_CRYPTO_LIBRARY}"
                         DIRECTORY)
  add_library(BoringSSL::crypto SHARED IMPORTED)
  set_target_properties(BoringSSL::crypto PROPERTIES
    IMPORTED_LOCATION "${BoringSSL_CRYPTO_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${BoringSSL_INCLUDE_DIR}"
    INTERFACE_LINK_OPTIONS "LINKER:-rpath,${BoringSSL_LIBRARY_DIR}")
  add_library(BoringSSL::ssl SHARED IMPORTED)
  set_target_properties(BoringSSL::ssl PROPERTIES
    IMPORTED_LOCATION "${BoringSSL_SSL_LIBRARY}"
    INTERFACE_LINK_LIBRARIES BoringSSL::crypto)
endif()
mark_as_advanced(BoringSSL_INCLUDE_DIR BoringSSL_CRYPTO_LIBRARY
                 BoringSSL_SSL_LIBRARY)
