/* Signals, all raised synchronously so the transcript is deterministic: SIGSEGV from a guard page and from an
 * unmapped page (si_code, si_addr, fault_address), recovery by siglongjmp and by editing the ucontext (pc and a
 * general register) before sigreturn, SIGILL from an undefined instruction, raise/kill with SA_SIGINFO (si_code,
 * si_pid), sa_mask deferral, SA_NODEFER, SA_RESETHAND, blocking and sigpending, SIG_IGN, sigaltstack with
 * SA_ONSTACK, and the FP control register restored by sigreturn. */
#define _GNU_SOURCE
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static char log_buf[4096];
static volatile size_t log_len;  /* volatile: handlers run inside raise() behind the compiler's back */

/* snprintf into a buffer from handlers; main prints it, so no stdio runs inside a handler. */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(log_buf + log_len, sizeof log_buf - log_len, fmt, ap);
    va_end(ap);
    if (n > 0) log_len += (size_t)n;
}

static void flush_notes(void) {
    fwrite(log_buf, 1, log_len, stdout);
    log_len = 0;
}

static sigjmp_buf recover;
static unsigned char *region;
static long page;

static void on_segv_jump(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    note("SIGSEGV sig %d code %s si_addr region+%ld fault_address region+%ld\n", sig,
         si->si_code == SEGV_MAPERR ? "MAPERR" : si->si_code == SEGV_ACCERR ? "ACCERR" : "other",
         (long)((unsigned char *)si->si_addr - region), (long)((unsigned char *)uc->uc_mcontext.fault_address - region));
    siglongjmp(recover, 1);
}

/* Skips the faulting 4-byte load and makes it look as if it had loaded 0x1234 into x9. */
static void on_segv_skip(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    (void)sig; (void)si;
    uc->uc_mcontext.regs[9] = 0x1234;
    uc->uc_mcontext.pc += 4;
}

static void on_sigill(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    uint32_t insn;
    memcpy(&insn, (void *)uc->uc_mcontext.pc, 4);
    /* si_code is not printed: Linux says ILL_ILLOPC, qemu-aarch64 (the oracle) says ILL_ILLOPN. */
    note("SIGILL sig %d signo %d si_addr==pc %d insn %08x\n", sig, si->si_signo, si->si_addr == (void *)uc->uc_mcontext.pc,
         insn);
    uc->uc_mcontext.pc += 4;
}

static void on_info(int sig, siginfo_t *si, void *ctx) {
    (void)ctx;
    note("%s: signo %d code %d pid-matches %d uid-matches %d\n", strsignal(sig), si->si_signo, si->si_code,
         si->si_pid == getpid(), si->si_uid == getuid());
}

static void on_usr1_raising_usr2(int sig) {
    note("usr1 handler start (sig %d)\n", sig);
    raise(SIGUSR2);
    note("usr1 handler end\n");
}

static void on_usr2(int sig) { note("usr2 handler (sig %d)\n", sig); }

/* Re-raises its own signal until it has run three times: nested with SA_NODEFER, one after another without. */
static volatile sig_atomic_t nodefer_depth, nodefer_max, nodefer_calls;
static void on_nodefer(int sig) {
    nodefer_depth++;
    nodefer_calls++;
    if (nodefer_depth > nodefer_max) nodefer_max = nodefer_depth;
    if (nodefer_calls < 3) raise(sig);
    nodefer_depth--;
}

static stack_t alt;
static void on_altstack(int sig) {
    char local;
    stack_t now;
    sigaltstack(NULL, &now);
    note("altstack handler sig %d: on alt stack %d, SS_ONSTACK %d\n", sig,
         &local >= (char *)alt.ss_sp && &local < (char *)alt.ss_sp + alt.ss_size, (now.ss_flags & SS_ONSTACK) != 0);
}

static void on_fp(int sig) {
    fesetround(FE_DOWNWARD);
    note("fp handler sig %d: rounding set to downward %d\n", sig, fegetround() == FE_DOWNWARD);
}

static void install(int sig, void (*h)(int), void (*ha)(int, siginfo_t *, void *), int flags, int mask_sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (ha) sa.sa_sigaction = ha; else sa.sa_handler = h;
    sa.sa_flags = flags | (ha ? SA_SIGINFO : 0);
    sigemptyset(&sa.sa_mask);
    if (mask_sig) sigaddset(&sa.sa_mask, mask_sig);
    if (sigaction(sig, &sa, NULL) != 0) printf("sigaction(%d) failed\n", sig);
}

int main(void) {
    page = sysconf(_SC_PAGESIZE);
    region = mmap(NULL, (size_t)page * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) { puts("mmap failed"); return 1; }
    mprotect(region + page, (size_t)page, PROT_NONE);
    munmap(region + 2 * page, (size_t)page);

    install(SIGSEGV, NULL, on_segv_jump, 0, 0);
    volatile unsigned char *guard = region + page;
    if (sigsetjmp(recover, 1) == 0) { guard[100] = 1; puts("no fault on write to PROT_NONE"); }
    if (sigsetjmp(recover, 1) == 0) { (void)guard[5]; puts("no fault on read of PROT_NONE"); }
    if (sigsetjmp(recover, 1) == 0) { guard[page + 8] = 1; puts("no fault on unmapped page"); }
    mprotect(region + page, (size_t)page, PROT_READ);
    if (sigsetjmp(recover, 1) == 0) { guard[16] = 2; puts("no fault on write to PROT_READ"); }
    flush_notes();
    printf("read of PROT_READ page after mprotect: %d\n", guard[16]);

    install(SIGSEGV, NULL, on_segv_skip, 0, 0);
    register uint64_t x9 __asm__("x9") = 7;
    __asm__ volatile("ldr %w0, [%1]" : "+r"(x9) : "r"(region + 2 * page + 12) : "memory");
    printf("after skipped load: x9 = %#llx\n", (unsigned long long)x9);

    install(SIGILL, NULL, on_sigill, 0, 0);
    __asm__ volatile(".inst 0x00000000");  /* UDF #0: permanently undefined */
    flush_notes();

    install(SIGUSR1, NULL, on_info, 0, 0);
    install(SIGUSR2, NULL, on_info, 0, 0);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR2);
    flush_notes();

    install(SIGUSR1, on_usr1_raising_usr2, NULL, 0, SIGUSR2);
    install(SIGUSR2, on_usr2, NULL, 0, 0);
    raise(SIGUSR1);
    flush_notes();

    install(SIGUSR1, on_nodefer, NULL, SA_NODEFER, 0);
    raise(SIGUSR1);
    printf("SA_NODEFER: %d calls, nesting reached %d\n", nodefer_calls, nodefer_max);
    nodefer_max = 0;
    nodefer_calls = 0;
    install(SIGUSR1, on_nodefer, NULL, 0, 0);
    raise(SIGUSR1);
    printf("without SA_NODEFER: %d calls, nesting reached %d\n", nodefer_calls, nodefer_max);

    install(SIGUSR2, on_usr2, NULL, SA_RESETHAND, 0);
    raise(SIGUSR2);
    struct sigaction now;
    sigaction(SIGUSR2, NULL, &now);
    flush_notes();
    printf("after SA_RESETHAND the handler is SIG_DFL: %d\n", now.sa_handler == SIG_DFL);

    install(SIGUSR2, on_usr2, NULL, 0, 0);
    sigset_t block, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR2);
    sigpending(&pending);
    printf("blocked SIGUSR2 pending %d, notes so far %zu bytes\n", sigismember(&pending, SIGUSR2), (size_t)log_len);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    flush_notes();
    sigpending(&pending);
    printf("after unblocking pending %d\n", sigismember(&pending, SIGUSR2));

    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    puts("ignored SIGUSR1 survived");

    alt.ss_size = 64 * 1024;
    alt.ss_sp = malloc(alt.ss_size);
    alt.ss_flags = 0;
    if (sigaltstack(&alt, NULL) != 0) puts("sigaltstack failed");
    install(SIGUSR1, on_altstack, NULL, SA_ONSTACK, 0);
    raise(SIGUSR1);
    install(SIGUSR1, on_altstack, NULL, 0, 0);
    raise(SIGUSR1);
    flush_notes();

    install(SIGUSR1, on_fp, NULL, 0, 0);
    fesetround(FE_UPWARD);
    raise(SIGUSR1);
    int restored = fegetround() == FE_UPWARD;
    fesetround(FE_TONEAREST);
    flush_notes();
    printf("rounding mode restored by sigreturn: %d\n", restored);
    puts("done");
    return 0;
}
