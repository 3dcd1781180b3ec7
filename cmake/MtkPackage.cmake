# What `cmake --install` puts beside the executables, and the Debian
# package `cpack` builds from it (README, "Build and install"):
#   bin/mtlskit, libexec/mtlskit/mtlskit-*     (mtk_add_subcommand, cli/)
#   share/man/man1/mtlskit.1.gz, mtlskit-CMD.1.gz  generated from docs/*.md
#   share/doc/mtlskit/*.md, platforms/*.md     the manuals as written
#   share/mtlskit/profiles/*.json              the probe's profiles (probe/)
# Build the package with: cmake --build build --target package
# (or: cd build && cpack -G DEB).

find_package(Python3 REQUIRED COMPONENTS Interpreter)

# Man pages: mtlskit(1) from docs/mtlskit.md, mtlskit-CMD(1) from
# docs/CMD.md, by scripts/md2man (no converter to install).
set(MTK_MAN_PAGES "")
set(mtk_man_docs mtlskit ca fixtures verify lint probe serve loadgen demo
    report)
foreach(doc IN LISTS mtk_man_docs)
  set(src "${PROJECT_SOURCE_DIR}/docs/${doc}.md")
  if(doc STREQUAL "report" AND NOT EXISTS "${src}")
    set(src "${PROJECT_SOURCE_DIR}/docs/distributed-load.md")
  endif()
  if(NOT EXISTS "${src}")
    continue()
  endif()
  if(doc STREQUAL "mtlskit")
    set(page mtlskit)
  else()
    set(page mtlskit-${doc})
  endif()
  set(roff "${CMAKE_BINARY_DIR}/man/${page}.1")
  set(out "${roff}.gz")
  # gzip -n: no name or time stamp, so the same docs give the same bytes.
  add_custom_command(OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_BINARY_DIR}/man"
    COMMAND Python3::Interpreter "${PROJECT_SOURCE_DIR}/scripts/md2man"
            "${src}" "${page}" 1 "${PROJECT_VERSION}" > "${roff}"
    COMMAND gzip -9nf "${roff}"
    DEPENDS "${src}" "${PROJECT_SOURCE_DIR}/scripts/md2man"
    COMMENT "man page ${page}(1)" VERBATIM)
  list(APPEND MTK_MAN_PAGES "${out}")
endforeach()
add_custom_target(man ALL DEPENDS ${MTK_MAN_PAGES})
install(FILES ${MTK_MAN_PAGES} DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")

file(GLOB mtk_docs "${PROJECT_SOURCE_DIR}/docs/*.md")
install(FILES ${mtk_docs} "${PROJECT_SOURCE_DIR}/README.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
file(GLOB mtk_platform_docs "${PROJECT_SOURCE_DIR}/docs/platforms/*.md")
install(FILES ${mtk_platform_docs}
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/platforms")
file(GLOB mtk_doc_images "${PROJECT_SOURCE_DIR}/docs/images/*.png")
install(FILES ${mtk_doc_images} DESTINATION "${CMAKE_INSTALL_DOCDIR}/images")

# The Debian package. Runtime dependencies come from dpkg-shlibdeps on the
# executables (Debian's android-libboringssl, libcurl4, libuv1,
# libjansson4, zlib1g, libc6), so they match what was linked.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mtlskit)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "mtlskit")
set(CPACK_PACKAGE_CONTACT "mtlskit maintainers <mtlskit@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "verify and load-test mutual-TLS (client-certificate) endpoints")
set(CPACK_PACKAGE_DESCRIPTION
    "A private CA compatible with openssl ca, a fixture PKI of good and
deliberately broken client identities, a conformance probe that asserts
what AWS ALB, API Gateway, Cloudflare, nginx, HAProxy, Apache and Node do
with each of them, local endpoints that behave like the cloud platforms,
and a handshake load generator with exact, mergeable percentiles.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_STRIP_FILES ON)
include(CPack)
