# Tests of trust checking (mtk_verify): `mtlskit verify` with each
# platform's rules and `mtlskit lint truststore`.
mtk_add_unit_test(verify_lint mtk::verify)
mtk_add_unit_test(verify_go mtk::verify)
mtk_add_integration_test(lint_rules lint_rules.sh)
mtk_add_integration_test(verify_platforms verify_platforms.sh)
mtk_add_integration_test(verify_strict verify_strict.sh)
mtk_add_integration_test(verify_differential verify_differential.sh)
mtk_add_integration_test(verify_catalogue verify_catalogue.sh)
