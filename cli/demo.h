// mtlskit demo: the main job on a built-in default. Private to cli/.
#ifndef MTK_CLI_DEMO_H
#define MTK_CLI_DEMO_H

#include <stdio.h>

// demo_run shows, in a new temporary directory, a private CA kept the way
// the openssl recipe keeps one, then the conformance check mtlskit exists
// for: a fixture set of good and broken client identities, a local
// endpoint that behaves like AWS ALB in verify mode, and the probe checking
// every identity against what ALB documents. It returns an exit status.
int demo_run(void);

// demo_main is `mtlskit demo ARGS`: usage for -h/--help, a usage error
// for anything else, or the demo. |argv|[0] is "demo". It returns an exit
// status.
int demo_main(int argc, char **argv);

// demo_usage prints the usage of `mtlskit demo` on |out|.
void demo_usage(FILE *out);

#endif  // MTK_CLI_DEMO_H
