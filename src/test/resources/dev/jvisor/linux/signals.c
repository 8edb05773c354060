/* Signal delivery, frames and sigreturn: each line of output is checked by LinuxProgramsTest. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile void *fault_addr;
static volatile int fault_code, got_sig, handler_on_altstack;
static char altstack[64 * 1024];

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_sig = sig;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    siglongjmp(env, 1);
}

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    char local;
    got_sig = sig;
    fault_code = si->si_code;
    handler_on_altstack = &local >= altstack && &local < altstack + sizeof altstack;
    /* Clobber callee- and caller-saved FP registers: sigreturn must bring the interrupted values back. */
    __asm__ volatile("fmov d8, xzr\n fmov d0, xzr\n movi v16.16b, #0x55" ::: "d8", "d0", "v16");
}

static void on_trap(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    got_sig = sig;
    fault_addr = si->si_addr;
    uc->uc_mcontext.pc += 4; /* step over the BRK */
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    long page = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    mprotect(p, page, PROT_NONE);
    if (sigsetjmp(env, 1) == 0) {
        p[16] = 2;
        puts("no fault");
    } else {
        printf("SIGSEGV accerr=%d addr-ok=%d\n", fault_code == SEGV_ACCERR, fault_addr == p + 16);
    }
    munmap(p, 2 * page);
    if (sigsetjmp(env, 1) == 0) {
        (void)*(volatile char *)(p + page + 8);
        puts("no fault");
    } else {
        printf("SIGSEGV maperr=%d addr-ok=%d\n", fault_code == SEGV_MAPERR, fault_addr == p + page + 8);
    }

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    double kept = 2.5;
    register double d8 __asm__("d8") = 1.25;
    __asm__ volatile("" : "+w"(d8));
    raise(SIGUSR1);
    __asm__ volatile("" : "+w"(d8));
    printf("SIGUSR1 sig=%d tkill=%d altstack=%d d8=%g kept=%g\n", got_sig, fault_code == SI_TKILL,
           handler_on_altstack, d8, kept);

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    got_sig = 0;
    kill(getpid(), SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    printf("blocked: delivered=%d pending=%d\n", got_sig, sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: delivered=%d\n", got_sig);

    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);
    got_sig = 0;
    __asm__ volatile("brk #1000");
    printf("SIGTRAP sig=%d\n", got_sig);

    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    puts("ignored SIGUSR2");
    return 0;
}
