# Tests of the load generator area: histograms, HdrHistogram logs, the
# BoringSSL/libuv connection library, mtlskit loadgen and mtlskit report.
find_package(ZLIB REQUIRED)
mtk_add_unit_test(hist mtk::core m)
mtk_add_unit_test(hdrlog mtk::core ZLIB::ZLIB)
mtk_add_unit_test(hist_report mtk::core)
mtk_add_integration_test(loadgen_nginx loadgen_nginx.sh)
mtk_add_integration_test(loadgen_haproxy loadgen_haproxy.sh)
mtk_add_integration_test(loadgen_faults loadgen_faults.sh)
mtk_add_integration_test(loadgen_close loadgen_close.sh)
mtk_add_integration_test(loadgen_hostile loadgen_hostile.sh)
mtk_add_integration_test(loadgen_identities loadgen_identities.sh)
mtk_add_integration_test(report_merge report_merge.sh)
mtk_add_unit_test(loadgen_http mtk_loadgen_lib)
mtk_add_unit_test(loadgen_slo mtk_loadgen_lib)
mtk_add_unit_test(net mtk::net)
# The verdict cache on its own: its header is private to mtk_net.
mtk_add_unit_test(verify_cache mtk::net)
target_include_directories(test_verify_cache PRIVATE ${PROJECT_SOURCE_DIR}/net)
# The read-ahead socket BIO on its own: its header is private to mtk_net.
mtk_add_unit_test(readahead_bio mtk::net)
target_include_directories(test_readahead_bio PRIVATE ${PROJECT_SOURCE_DIR}/net)

# A scripted TLS 1.3 server that changes its chain and CertificateVerify key
# from connection to connection (integration.loadgen_verify_cache). A test
# helper on BoringSSL; never installed.
add_executable(switch_server servers/switch_server.c)
target_link_libraries(switch_server PRIVATE BoringSSL::ssl)
mtk_add_integration_test(loadgen_verify_cache loadgen_verify_cache.sh)
