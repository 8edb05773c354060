/* A process killed by a signal's default action: the status a shell (and qemu-aarch64) reports is 128 + the
 * signal number, atexit handlers do not run, and what was flushed before stays written.
 * expected exit status: 143 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void not_run(void) { puts("atexit handler ran (wrong)"); }

int main(void) {
    atexit(not_run);
    puts("about to raise SIGTERM with the default action");
    puts("done");
    fflush(stdout);
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    puts("survived SIGTERM (wrong)");
    return 0;
}
