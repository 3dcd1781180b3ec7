# Tests of `mtlskit report md|diff|html` on real probe and loadgen runs, and
# of the outline reader that report diff uses.
mtk_add_unit_test(report_outline mtk_report_outline)
mtk_add_integration_test(report_diff report_diff.sh)
mtk_add_integration_test(report_html report_html.sh)
