# Tests of the fixture PKI and `mtlskit fixtures`: every case checked by the
# real openssl verify and by mtlskit verify, and the command's options.
mtk_add_integration_test(fixtures_cases fixtures_cases.sh)
mtk_add_integration_test(fixtures_cli fixtures_cli.sh)
mtk_add_integration_test(fixtures_refresh fixtures_refresh.sh)
