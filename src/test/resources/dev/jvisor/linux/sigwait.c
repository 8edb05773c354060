/* Waits for SIGTERM from outside (jvisor forwards the host's signals) and reports it. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_signal(int sig) {
    got = sig;
}

int main(void) {
    signal(SIGTERM, on_signal);
    puts("ready");
    fflush(stdout);
    while (!got) pause();
    printf("guest got signal %d\n", (int)got);
    return 0;
}
