# Tests of the CA (mtk_ca) and `mtlskit ca`: one Check suite per module, and
# integration tests with the real openssl binary.
foreach(module cadb ca)
  mtk_add_unit_test(${module} mtk::ca)
endforeach()

foreach(t cli interop_openssl recipe badinput concurrent security crash day2 faults)
  mtk_add_integration_test(ca_${t} ca_${t}.sh)
endforeach()
set_tests_properties(integration.ca_cli integration.ca_interop_openssl
  integration.ca_recipe integration.ca_badinput integration.ca_concurrent
  integration.ca_security integration.ca_crash integration.ca_day2
  integration.ca_faults
  PROPERTIES LABELS "integration;ca")
