# Tests of `mtlskit report md|diff|html` on real probe and loadgen runs.
mtk_add_integration_test(report_diff report_diff.sh)
mtk_add_integration_test(report_html report_html.sh)
