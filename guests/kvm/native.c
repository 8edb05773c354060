/* The guest runtime's API as an ordinary Linux process, so bench/kvm can run guest code natively. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#define JV_HOST_MAIN
#include "jv.h"

unsigned long jv_strlen(const char *s)
{
    unsigned long n = 0;
    while (s[n]) n++;
    return n;
}

void con_write(const char *s, long n)
{
    while (n > 0) {
        long w = write(1, s, (size_t)n);
        if (w <= 0) return;
        s += w, n -= w;
    }
}

unsigned long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long)ts.tv_sec * 1000000000ul + (unsigned long)ts.tv_nsec;
}

void jv_exit(int status) { exit(status); }
long file_size(int argi) { (void)argi; return -1; }
long file_read(int argi, unsigned long off, void *buf, unsigned long len) { (void)argi, (void)off, (void)buf, (void)len; return -1; }
int cpu_start(int cpu, void (*fn)(long), void *stack_top, long arg) { (void)cpu, (void)fn, (void)stack_top, (void)arg; return -1; }

int guest_main(int argc, char **argv, int ncpus);

int main(int argc, char **argv) { return guest_main(argc, argv, 1); }
