/* How a process ends, selected by argv[1]. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *how = argc > 1 ? argv[1] : "";
    if (strcmp(how, "exit") == 0) exit(42);
    if (strcmp(how, "term") == 0) raise(SIGTERM);
    if (strcmp(how, "abort") == 0) abort();
    if (strcmp(how, "segv") == 0) *(volatile int *)16 = 1;
    if (strcmp(how, "ill") == 0) __asm__ volatile(".inst 0x00000000");
    if (strcmp(how, "pipe") == 0) {
        int p[2];
        pipe(p);
        close(p[0]);
        write(p[1], "x", 1);
    }
    return 3;
}
