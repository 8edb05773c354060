/* Signals between threads, interrupted and restarted calls, handler flags, and alignment faults. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int hits, calls, depth, max_depth, bus_code;
static volatile void *bus_addr;
static sigjmp_buf env;
static int pipefd[2];
static pthread_t main_thread;

static void count(int sig) {
    (void)sig;
    hits++;
}

static void nested(int sig) {
    calls++;
    depth++;
    if (depth > max_depth) max_depth = depth;
    if (calls < 3) raise(sig);
    depth--;
}

static void on_bus(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    bus_code = si->si_code;
    bus_addr = si->si_addr;
    siglongjmp(env, 1);
}

static void *poke_later(void *arg) {
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    pthread_kill(main_thread, SIGUSR1);
    nanosleep(&ts, NULL);
    if (arg) write(pipefd[1], "z", 1);
    return NULL;
}

static void install(int sig, void (*fn)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

int main(void) {
    main_thread = pthread_self();
    pipe(pipefd);
    char c;
    pthread_t t;

    /* Without SA_RESTART a blocked read fails with EINTR once the handler has run. */
    install(SIGUSR1, count, 0);
    pthread_create(&t, NULL, poke_later, (void *)1);
    ssize_t n = read(pipefd[0], &c, 1);
    printf("no-restart: read=%zd eintr=%d hits=%d\n", n, errno == EINTR, hits);
    pthread_join(t, NULL);
    read(pipefd[0], &c, 1);

    /* With SA_RESTART the same read resumes and gets the byte. */
    install(SIGUSR1, count, SA_RESTART);
    pthread_create(&t, NULL, poke_later, (void *)1);
    n = read(pipefd[0], &c, 1);
    printf("restart: read=%zd byte=%c hits=%d\n", n, c, hits);
    pthread_join(t, NULL);

    /* nanosleep interrupted reports the time left. */
    pthread_create(&t, NULL, poke_later, NULL);
    struct timespec req = {5, 0}, rem = {0, 0};
    int r = nanosleep(&req, &rem);
    printf("nanosleep=%d eintr=%d rem-ok=%d hits=%d\n", r, errno == EINTR, rem.tv_sec >= 3 && rem.tv_sec <= 4, hits);
    pthread_join(t, NULL);

    /* sigsuspend waits with a temporary mask and restores the old one. */
    sigset_t block, old, during;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    pthread_create(&t, NULL, poke_later, NULL);
    sigemptyset(&during);
    r = sigsuspend(&during);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("sigsuspend=%d eintr=%d hits=%d still-blocked=%d\n", r, errno == EINTR, hits, sigismember(&now, SIGUSR1));
    pthread_join(t, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* SA_NODEFER lets the handler interrupt itself; without it the nested raise waits until the handler returns. */
    install(SIGUSR2, nested, SA_NODEFER);
    raise(SIGUSR2);
    printf("nodefer: calls=%d max-depth=%d\n", calls, max_depth);
    max_depth = 0;
    calls = 0;
    install(SIGUSR2, nested, 0);
    raise(SIGUSR2);
    printf("defer: calls=%d max-depth=%d\n", calls, max_depth);

    /* SA_RESETHAND: the first delivery restores the default action. */
    install(SIGHUP, count, SA_RESETHAND);
    raise(SIGHUP);
    struct sigaction cur;
    sigaction(SIGHUP, NULL, &cur);
    printf("resethand: default-now=%d hits=%d\n", cur.sa_handler == SIG_DFL, hits);

    /* ITIMER_REAL raises SIGALRM, which ends pause(). */
    install(SIGALRM, count, 0);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    int before = hits;
    r = pause();
    printf("alarm: pause=%d eintr=%d woke=%d\n", r, errno == EINTR, hits == before + 1);

    /* An exclusive load from a misaligned address is an alignment fault: SIGBUS, BUS_ADRALN. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    static long words[4];
    char *odd = (char *)words + 1;
    if (sigsetjmp(env, 1) == 0) {
        long v;
        __asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(odd) : "memory");
        puts("no fault");
    } else {
        printf("SIGBUS adraln=%d addr-ok=%d\n", bus_code == BUS_ADRALN, bus_addr == odd);
    }
    return 0;
}
