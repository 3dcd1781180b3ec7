// The subcommands of `mtlskit report`. Each takes the arguments after its
// name (argv[0] is the subcommand name) and returns an exit status. To add
// one, declare its entry point here and list it in main.c's table.
#ifndef MTK_REPORTS_REPORT_H
#define MTK_REPORTS_REPORT_H

// report_merge_main: `mtlskit report merge FILE... [--output FILE] [--json]`
// (merge.c).
int report_merge_main(int argc, char **argv);

// report_merge_usage prints the usage of `report merge` on |f|.
#include <stdio.h>
void report_merge_usage(FILE *f);

// report_md_main: `mtlskit report md RESULT... [-o FILE]` (report_md.c).
int report_md_main(int argc, char **argv);

// report_md_usage prints the usage of `report md` on |f|.
void report_md_usage(FILE *f);

// report_diff_main: `mtlskit report diff OLD NEW [--threshold ...] [--json |
// --md] [-o FILE]` (report_diff.c); exit 1 on a regression.
int report_diff_main(int argc, char **argv);

// report_diff_usage prints the usage of `report diff` on |f|.
void report_diff_usage(FILE *f);

// report_html_main: `mtlskit report html RESULT... -o FILE [--history DIR]
// [--title TEXT]` (html.c).
int report_html_main(int argc, char **argv);

// report_html_usage prints the usage of `report html` on |f|.
void report_html_usage(FILE *f);

#endif  // MTK_REPORTS_REPORT_H
