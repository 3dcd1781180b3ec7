# Tests of the fixture PKI and `mtlskit fixtures`: every case checked by the
# real openssl verify and by mtlskit verify, and the command's options.
mtk_add_integration_test(fixtures_cases fixtures_cases.sh)
mtk_add_integration_test(fixtures_cli fixtures_cli.sh)
mtk_add_integration_test(fixtures_refresh fixtures_refresh.sh)
# The nightly journey of docs/ci-nightly.md over three simulated nights,
# against a real nginx.
mtk_add_integration_test(nightly_journey nightly_journey.sh)
