/* Built without -static, so the ELF has a PT_INTERP: jvisor's user mode only runs static programs and must say so. */
#include <stdio.h>

int main(void) {
    puts("hello from a dynamically linked program");
    return 0;
}
