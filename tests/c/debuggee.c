/* The program GdbStubTest debugs (built there with -O0 -g): a global it prints, an array it examines, functions it
 * breaks on, and an exit status it checks. bump() is called often enough to be translated before checkpoint() is
 * reached; checkpoint() has a page of its own, so a breakpoint on it leaves bump()'s translation in use. With the
 * argument "crash" it stores through a null pointer instead, with "abort" it calls abort(), for the debugger to see
 * the signal.
 * Run here like any other test program.
 * expected exit status: 7 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile long counter = 0x1122334455667788;
int table[4] = {0x11, 0x22, 0x33, 0x44};

void checkpoint(void);

__attribute__((noinline)) long bump(long by) {
    counter += by;
    return counter;
}

__attribute__((noinline)) void crash(void) {
    *(volatile int *) 8 = 1;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "crash") == 0) crash();
    if (argc > 1 && strcmp(argv[1], "abort") == 0) abort();
    for (int i = 1; i <= 1000; i++) bump(i);
    checkpoint();
    for (int i = 1; i <= 3; i++) bump(i);
    printf("counter %lx table %x\n", (unsigned long) counter, table[0]);
    puts("done");
    return 7;
}

__attribute__((noinline, aligned(4096))) void checkpoint(void) {
    table[0]++;
}
