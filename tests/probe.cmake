# mtlskit probe: unit tests of the modules in mtk_probe, the JUnit writer
# in mtk_core, and integration tests against real servers on loopback.
mtk_add_unit_test(junit mtk::core)
mtk_add_unit_test(probe_classify mtk_probe)
mtk_add_unit_test(probe_expect mtk_probe)
mtk_add_unit_test(probe_profile mtk_probe)
mtk_add_unit_test(probe_manifest mtk_probe)
mtk_add_unit_test(probe_config mtk_probe)
mtk_add_unit_test(probe_plan mtk_probe)
mtk_add_unit_test(probe_identity mtk_probe)
mtk_add_integration_test(probe_cli probe_cli.sh)
mtk_add_integration_test(probe_servers probe_servers.sh)
mtk_add_integration_test(probe_misconfig probe_misconfig.sh)
