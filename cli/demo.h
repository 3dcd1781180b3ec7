// mtlskit demo: the main job on a built-in default. Private to cli/.
#ifndef MTK_CLI_DEMO_H
#define MTK_CLI_DEMO_H

// demo_run shows, in a new temporary directory, a private CA kept the way
// the openssl recipe keeps one, then the conformance check mtlskit exists
// for: a fixture set of good and broken client identities, a local
// endpoint that behaves like AWS ALB in verify mode, and the probe checking
// every identity against what ALB documents. It returns an exit status.
int demo_run(void);

#endif  // MTK_CLI_DEMO_H
