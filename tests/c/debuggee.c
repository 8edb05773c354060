/* The program GdbStubTest debugs (built there with -O0 -g): a global it prints, an array it examines, a named
 * function it breaks on, and an exit status it checks. Run here like any other test program.
 * expected exit status: 7 */
#include <stdio.h>

volatile long counter = 0x1122334455667788;
int table[4] = {0x11, 0x22, 0x33, 0x44};

__attribute__((noinline)) long bump(long by) {
    counter += by;
    return counter;
}

int main(void) {
    for (int i = 1; i <= 3; i++) bump(i);
    printf("counter %lx\n", (unsigned long) counter);
    puts("done");
    return 7;
}
