# mtlskit serve: unit tests (request parser, platform decisions, ALB header
# formats) and integration tests against the real server with the probe,
# curl and openssl s_client on 127.0.0.1.
mtk_add_unit_test(serve_http mtk_serve_lib)
mtk_add_unit_test(serve mtk_serve_lib)
mtk_add_unit_test(serve_net mtk::net)
mtk_add_integration_test(serve_profiles serve_profiles.sh)
mtk_add_integration_test(serve_headers serve_headers.sh)
mtk_add_integration_test(serve_cli serve_cli.sh)
mtk_add_integration_test(serve_limits serve_limits.sh)
mtk_add_integration_test(serve_hostile serve_hostile.sh)
mtk_add_integration_test(serve_slowloris serve_slowloris.sh)
set_tests_properties(integration.serve_slowloris PROPERTIES SKIP_RETURN_CODE 77)
