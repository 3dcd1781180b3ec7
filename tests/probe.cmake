# mtlskit probe: unit tests of the modules in mtk_probe, the JUnit writer
# in mtk_core, and integration tests against real servers on loopback.
mtk_add_unit_test(junit mtk::core)
mtk_add_unit_test(probe_classify mtk_probe)
mtk_add_unit_test(probe_expect mtk_probe)
mtk_add_unit_test(probe_profile mtk_probe)
# The 'before' table of the compiled profiles, and docs/platforms.md.
target_compile_definitions(test_probe_profile PRIVATE
  MTK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
mtk_add_unit_test(probe_manifest mtk_probe)
mtk_add_unit_test(probe_config mtk_probe)
mtk_add_unit_test(probe_plan mtk_probe)
mtk_add_unit_test(probe_connlog mtk_probe)
mtk_add_unit_test(probe_identity mtk_probe)
mtk_add_unit_test(probe_echo mtk_probe)
mtk_add_unit_test(probe_albexpect mtk_probe)
mtk_add_unit_test(probe_albcheck mtk_probe)
mtk_add_integration_test(probe_cli probe_cli.sh)
mtk_add_integration_test(probe_record probe_record.sh)
mtk_add_integration_test(probe_connlog probe_connlog.sh)
mtk_add_integration_test(probe_caddy probe_caddy.sh)
mtk_add_integration_test(probe_servers probe_servers.sh)
mtk_add_integration_test(probe_misconfig probe_misconfig.sh)
mtk_add_integration_test(probe_alb_serve probe_alb_serve.sh)
mtk_add_integration_test(probe_alb_wrong probe_alb_wrong.sh)
mtk_add_integration_test(probe_fixture_servers probe_fixture_servers.sh)
mtk_add_integration_test(probe_http2 probe_http2.sh)
mtk_add_integration_test(probe_aborted probe_aborted.sh)
mtk_add_integration_test(probe_blinding probe_blinding.sh)
mtk_add_integration_test(probe_server_trust probe_server_trust.sh)
mtk_add_integration_test(probe_alert_recovery probe_alert_recovery.sh)
mtk_add_integration_test(hostile_servers hostile_servers.sh)

# A scripted TLS server that refuses with a chosen alert and resets at
# once (integration.probe_alert_recovery). A test helper on Debian's
# OpenSSL 3, like the probe; never installed.
pkg_check_modules(ALERT_SERVER_OPENSSL REQUIRED IMPORTED_TARGET libssl>=3.0
                  libcrypto>=3.0)
add_executable(alert_server servers/alert_server.c)
target_link_libraries(alert_server PRIVATE PkgConfig::ALERT_SERVER_OPENSSL)
