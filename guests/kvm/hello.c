/* Says hello through both console paths: the port-I/O hypercall and the MMIO console on the device bus. */
#include "jv.h"

#define MMIO_CONSOLE 0xd0001000ul
#define CONSOLE_DATA 0x0
#define CONSOLE_ID 0x8
#define CONSOLE_ID_VALUE 0x4f43564aul /* "JVCO" */

static void mmio_puts(const char *s)
{
    volatile unsigned char *data = (volatile unsigned char *)(MMIO_CONSOLE + CONSOLE_DATA);
    while (*s) *data = (unsigned char)*s++;
}

int main(int argc, char **argv, int ncpus)
{
    print_str("hello from a jvisor KVM guest\n");
    print_str("argc=");
    print_u64((unsigned long)argc);
    print_str(" vcpus=");
    print_u64((unsigned long)ncpus);
    print_str("\n");
    for (int i = 0; i < argc; i++) {
        print_str("argv[");
        print_u64((unsigned long)i);
        print_str("]=");
        print_str(argv[i]);
        print_str("\n");
    }
    unsigned id = *(volatile unsigned *)(MMIO_CONSOLE + CONSOLE_ID);
    if (id != CONSOLE_ID_VALUE) {
        print_str("mmio console id mismatch: 0x");
        print_hex(id, 8);
        print_str("\n");
        return 1;
    }
    mmio_puts("hello through the MMIO console\n");
    return 0;
}
