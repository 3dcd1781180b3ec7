# Tests for trust checking (verify, lint) and the fixture PKI.
mtk_add_unit_test(lint mtk::fixtures)
mtk_add_integration_test(lint_rules lint_rules.sh)
mtk_add_integration_test(fixtures_cases fixtures_cases.sh)
mtk_add_integration_test(fixtures_cli fixtures_cli.sh)
mtk_add_integration_test(verify_platforms verify_platforms.sh)
