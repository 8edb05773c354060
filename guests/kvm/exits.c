/* Exit-heavy: a million hypercalls, each checked, to measure the VMM's exit round trip. */
#include "jv.h"

int main(int argc, char **argv, int ncpus)
{
    (void)ncpus;
    unsigned long n = 1000000;
    if (argc > 1) {
        n = 0;
        for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++) n = n * 10 + (unsigned long)(*p - '0');
    }
    unsigned long t0 = now_ns();
    for (unsigned long i = 0; i < n; i++) {
        if (hypercall(HC_NOP, i, 0, 0, 0) != (long)i) {
            print_str("hypercall returned the wrong value\n");
            return 1;
        }
    }
    unsigned long t1 = now_ns();
    print_str("hypercalls: ");
    print_u64(n);
    print_str("\n");
    if (argc > 2) { /* timing is not deterministic: only on request */
        print_str("ns per hypercall: ");
        print_u64(n ? (t1 - t0) / n : 0);
        print_str("\n");
    }
    return 0;
}
