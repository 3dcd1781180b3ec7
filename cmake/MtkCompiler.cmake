# Compiler warnings and sanitizers for every mtlskit target.
add_compile_definitions(_POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
add_compile_options(
  -Wall -Wextra -Wshadow -Wconversion -Wundef -Wwrite-strings
  -Wno-sign-conversion -fvisibility=hidden
  "$<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes;-Wmissing-prototypes>")
if(MTK_WERROR)
  add_compile_options(-Werror)
endif()

if(MTK_SANITIZE)
  foreach(san IN LISTS MTK_SANITIZE)
    if(NOT san MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "MTK_SANITIZE: unsupported sanitizer '${san}'")
    endif()
  endforeach()
  if("thread" IN_LIST MTK_SANITIZE AND "address" IN_LIST MTK_SANITIZE)
    message(FATAL_ERROR "MTK_SANITIZE: thread and address are exclusive")
  endif()
  list(JOIN MTK_SANITIZE "," mtk_san)
  add_compile_options(-fsanitize=${mtk_san} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${mtk_san})
  if("undefined" IN_LIST MTK_SANITIZE)
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()
