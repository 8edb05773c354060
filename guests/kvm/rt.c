/* The guest runtime: every service is a hypercall to the VMM. */
#include "jv.h"

void *memset(void *d, int c, unsigned long n)
{
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}

unsigned long jv_strlen(const char *s)
{
    unsigned long n = 0;
    while (s[n]) n++;
    return n;
}

void con_write(const char *s, long n) { hypercall(HC_WRITE, (unsigned long)s, (unsigned long)n, 0, 0); }
unsigned long now_ns(void) { return (unsigned long)hypercall(HC_TIME, 0, 0, 0, 0); }
long file_size(int argi) { return hypercall(HC_FILE_SIZE, (unsigned long)argi, 0, 0, 0); }

long file_read(int argi, unsigned long off, void *buf, unsigned long len)
{
    return hypercall(HC_FILE_READ, (unsigned long)argi, off, (unsigned long)buf, len);
}

void jv_exit(int status)
{
    for (;;) hypercall(HC_EXIT, (unsigned long)(unsigned)status, 0, 0, 0);
}

void jv_cpu_stop(void)
{
    for (;;) hypercall(HC_CPU_STOP, 0, 0, 0, 0);
}

extern char _secondary_entry[];

int cpu_start(int cpu, void (*fn)(long), void *stack_top, long arg)
{
    unsigned long *top = (unsigned long *)((unsigned long)stack_top & ~15ul) - 2;
    top[0] = (unsigned long)fn;
    top[1] = (unsigned long)arg;
    return (int)hypercall(HC_CPU_START, (unsigned long)cpu, (unsigned long)_secondary_entry, (unsigned long)top,
                          (unsigned long)top);
}
