/* setjmp/longjmp: jumps out of deep recursion, longjmp(…, 0) delivering 1, volatile locals surviving, nested jump
 * buffers, and sigsetjmp/siglongjmp restoring (or not) the signal mask. glibc mangles the saved SP/LR with a pointer
 * guard, so this also checks that guard is stable and the callee-saved registers (x19-x30, d8-d15) come back. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static jmp_buf top;
static sigjmp_buf sigtop;
static int depth_reached;

static void recurse(int depth, int limit) {
    volatile char pad[64];
    pad[depth % 64] = (char)depth;
    depth_reached = depth + pad[depth % 64] - (char)depth;
    if (depth == limit) longjmp(top, limit);
    if (depth > limit) return;
    recurse(depth + 1, limit);
    pad[0]++;  /* keeps the call from becoming a tail call, so every level really has a frame */
}

static int inner_jumps(void) {
    jmp_buf inner;
    volatile int steps = 0;
    int v = setjmp(inner);
    steps++;
    if (v < 5) longjmp(inner, v + 1);
    return steps * 100 + v;
}

/* Keeps values in callee-saved FP registers across a longjmp. */
static double fp_survives(double seed) {
    jmp_buf b;
    register double d8 __asm__("d8") = seed * 3.0;
    register double d15 __asm__("d15") = seed / 7.0;
    __asm__ volatile("" : "+w"(d8), "+w"(d15));
    if (setjmp(b) == 0) {
        __asm__ volatile("fmov d8, xzr\n\tfmov d15, xzr" ::: "d8", "d15");
        longjmp(b, 1);
    }
    __asm__ volatile("" : "+w"(d8), "+w"(d15));
    return d8 + d15;
}

static int mask_has(int sig) {
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    return sigismember(&cur, sig);
}

int main(void) {
    for (volatile int limit = 1; limit <= 3000; limit *= 7) {
        int r = setjmp(top);
        if (r == 0) recurse(0, limit);
        else printf("jumped back from depth %d with %d\n", depth_reached, r);
    }
    volatile int counter = 0;
    int r = setjmp(top);
    counter++;
    if (counter < 4) longjmp(top, 0);
    printf("longjmp(0) delivered %d, counter %d\n", r, counter);
    printf("inner jumps: %d\n", inner_jumps());
    printf("callee-saved fp after longjmp: %a\n", fp_survives(2.0));

    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    if (sigsetjmp(sigtop, 1) == 0) {
        sigprocmask(SIG_BLOCK, &usr1, NULL);
        printf("before siglongjmp(savemask=1): usr1 blocked %d\n", mask_has(SIGUSR1));
        siglongjmp(sigtop, 1);
    }
    printf("after siglongjmp(savemask=1): usr1 blocked %d\n", mask_has(SIGUSR1));
    if (sigsetjmp(sigtop, 0) == 0) {
        sigprocmask(SIG_BLOCK, &usr1, NULL);
        siglongjmp(sigtop, 7);
    }
    printf("after siglongjmp(savemask=0): usr1 blocked %d\n", mask_has(SIGUSR1));
    puts("done");
    return 0;
}
