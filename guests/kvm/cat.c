/* Copies each host file named on the command line to the console, through the VMM's file hypercalls. */
#include "jv.h"

static char buf[65536];

int main(int argc, char **argv, int ncpus)
{
    (void)ncpus;
    for (int i = 1; i < argc; i++) {
        long size = file_size(i);
        if (size < 0) {
            print_str("cat: cannot read ");
            print_str(argv[i]);
            print_str("\n");
            return 1;
        }
        for (unsigned long off = 0; off < (unsigned long)size;) {
            long n = file_read(i, off, buf, sizeof buf);
            if (n <= 0) return 1;
            con_write(buf, n);
            off += (unsigned long)n;
        }
    }
    return 0;
}
