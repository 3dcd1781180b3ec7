# Tests of the fixture PKI and `mtlskit fixtures`: every case checked by the
# real openssl verify and by mtlskit verify, and the command's options.
mtk_add_integration_test(fixtures_cases fixtures_cases.sh)
mtk_add_integration_test(fixtures_cli fixtures_cli.sh)
mtk_add_integration_test(fixtures_refresh fixtures_refresh.sh)
# The nightly journey of docs/ci-nightly.md over three simulated nights,
# against a real nginx.
mtk_add_integration_test(nightly_journey nightly_journey.sh)

# The Debian package, built once (CTest fixture "deb") for the tests that
# install it, and the docs' examples run from it. They test the release and
# the documentation, not memory safety, so the sanitized build (whose
# package would hold sanitized binaries) leaves them out: CI time.
if(NOT MTK_SANITIZE)
  mtk_add_integration_test(package_build package_build.sh)
  set_tests_properties(integration.package_build PROPERTIES
    FIXTURES_SETUP deb)
  mtk_add_integration_test(ci_examples ci_examples.sh)
  set_tests_properties(integration.ci_examples PROPERTIES
    FIXTURES_REQUIRED deb)
  # Every ```sh example of README.md and docs/*.md, run from the package.
  mtk_add_integration_test(doc_examples doc_examples.sh)
  set_tests_properties(integration.doc_examples PROPERTIES
    FIXTURES_REQUIRED deb)
  # The package in a clean root (needs root for chroot: skipped without).
  mtk_add_integration_test(package_install package_install.sh)
  set_tests_properties(integration.package_install PROPERTIES
    FIXTURES_REQUIRED deb SKIP_RETURN_CODE 77)
endif()
# Fixtures under a user's own CA, probed against nginx trusting only it.
mtk_add_integration_test(fixtures_user_ca fixtures_user_ca.sh)
mtk_add_integration_test(fixtures_crash fixtures_crash.sh)
