/* Misbehaves on purpose, as named by argv[1], so tests can check the VMM reports it and survives. */
#include "jv.h"

/* Hides the constant address from the compiler, which would otherwise warn about the deliberate bad access. */
static volatile int *at(unsigned long a)
{
    __asm__("" : "+r"(a));
    return (volatile int *)a;
}

int main(int argc, char **argv, int ncpus)
{
    (void)ncpus;
    const char *what = argc > 1 ? argv[1] : "ud";
    print_str("about to fault: ");
    print_str(what);
    print_str("\n");
    if (what[0] == 'u') __asm__ volatile("ud2");
    if (what[0] == 'p') *at(0x10) = 1; /* page 0 is not mapped */
    if (what[0] == 's') *at(0x1000) = 1; /* supervisor-only page */
    if (what[0] == 'g') __asm__ volatile("hlt");            /* privileged at CPL3 */
    if (what[0] == 'm') *at(0xd00f0000ul) = 1; /* MMIO window, but no device there */
    print_str("still alive\n");
    return 3;
}
