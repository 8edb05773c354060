/* Process exit: atexit handlers run in reverse order of registration, stdio buffers (including a last line without
 * a newline) are flushed by exit(), and the status given to exit() from deep inside the program is the process's.
 * expected exit status: 3 */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { puts("atexit: registered first, runs last"); }
static void second(void) { puts("atexit: registered second, runs first"); }

static void leave(int depth) {
    if (depth < 0) return;
    if (depth == 0) {
        puts("done");
        fputs("tail without newline", stdout);
        exit(3);
    }
    leave(depth - 1);
    puts("never printed");
}

int main(void) {
    atexit(first);
    atexit(second);
    puts("start");
    leave(50);
    return 0;
}
