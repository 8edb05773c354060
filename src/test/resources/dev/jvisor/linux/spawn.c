/* fork, execve, posix_spawn and wait: processes emulated inside one jvisor run. */
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int global = 1;

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("exec'd child: argc=%d arg=%s env=%s\n", argc, argv[2], getenv("SPAWN_TEST"));
        return 9;
    }
    setvbuf(stdout, NULL, _IONBF, 0);

    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        global = 2;
        close(p[0]);
        char msg[64];
        int n = snprintf(msg, sizeof msg, "child sees global=%d ppid-ok=%d", global, getppid() > 0);
        write(p[1], msg, n);
        _exit(5);
    }
    close(p[1]);
    char buf[128] = {0};
    ssize_t total = 0, n;
    while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
    int status;
    pid_t w = waitpid(pid, &status, 0);
    printf("%s; parent global=%d waited-right=%d exited=%d code=%d\n", buf, global, w == pid, WIFEXITED(status),
           WEXITSTATUS(status));

    pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("signaled=%d sig=%d\n", WIFSIGNALED(status), WTERMSIG(status));

    pid = fork();
    if (pid == 0) {
        char *args[] = {argv[0], "child", "from-execve", NULL};
        char *env[] = {"SPAWN_TEST=yes", NULL};
        execve("/proc/self/exe", args, env);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    printf("execve child exit=%d\n", WEXITSTATUS(status));

    char *args[] = {argv[0], "child", "from-posix_spawn", NULL};
    char *env[] = {"SPAWN_TEST=spawned", NULL};
    int rc = posix_spawn(&pid, argv[0], NULL, NULL, args, env);
    waitpid(pid, &status, 0);
    printf("posix_spawn rc=%d exit=%d\n", rc, WEXITSTATUS(status));

    char *bad[] = {"/dev/null", NULL};
    rc = posix_spawn(&pid, "/dev/null", NULL, NULL, bad, environ);
    /* Linux reports the failed exec from posix_spawn itself; with vfork run as a fork it shows as exit 127. */
    if (rc == 0) waitpid(pid, &status, 0);
    printf("spawn /dev/null: %s\n", rc != 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 127) ? "failed" : "ran");
    printf("no more children=%d\n", waitpid(-1, &status, WNOHANG) == -1);

    /* MAP_SHARED|MAP_ANONYMOUS memory stays shared with a forked child; MAP_PRIVATE memory is copied. */
    int *shm = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    shm[0] = 1;
    shm[1024 + 5] = 10;
    priv[0] = 1;
    pid = fork();
    if (pid == 0) {
        shm[0] += 41;
        shm[1024 + 5] += 1;
        priv[0] = 99;
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("shared=%d %d private=%d\n", shm[0], shm[1024 + 5], priv[0]);
    munmap(shm, 4096);
    printf("partial munmap keeps the rest=%d\n", shm[1024 + 5]);

    /* Process groups and sessions among the processes of the run. */
    int gp[2];
    pipe(gp);
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        write(gp[1], "g", 1);
        for (;;) pause();
    }
    char c;
    read(gp[0], &c, 1);
    printf("child group=%d own-group=%d\n", getpgid(pid) == pid, getpgid(0) == getpgrp());
    kill(-pid, SIGTERM);
    waitpid(pid, &status, 0);
    printf("group kill sig=%d\n", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    pid = fork();
    if (pid == 0) _exit(setsid() == getpid() && getsid(0) == getpid() && getpgid(0) == getpid() ? 0 : 1);
    waitpid(pid, &status, 0);
    printf("setsid ok=%d\n", WEXITSTATUS(status) == 0);

    /* Job control: a stopped child reports through WUNTRACED, a continued one through WCONTINUED. */
    int sp[2];
    pipe(sp);
    pid = fork();
    if (pid == 0) {
        close(sp[0]);
        for (int i = 0;; i++) {
            char b = 'r';
            write(sp[1], &b, 1);
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    close(sp[1]);
    read(sp[0], &c, 1);
    kill(pid, SIGSTOP);
    waitpid(pid, &status, WUNTRACED);
    printf("stopped=%d sig=%d\n", WIFSTOPPED(status), WSTOPSIG(status));
    int pipe_flags = fcntl(sp[0], F_GETFL);
    fcntl(sp[0], F_SETFL, pipe_flags | O_NONBLOCK);
    while (read(sp[0], &c, 1) == 1) {
    }
    struct timespec pause_ts = {0, 100 * 1000 * 1000};
    nanosleep(&pause_ts, NULL);
    printf("quiet while stopped=%d\n", read(sp[0], &c, 1) == -1 && errno == EAGAIN);
    kill(pid, SIGCONT);
    waitpid(pid, &status, WCONTINUED);
    printf("continued=%d\n", WIFCONTINUED(status));
    fcntl(sp[0], F_SETFL, pipe_flags);
    printf("runs again=%d\n", read(sp[0], &c, 1) == 1);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    printf("killed sig=%d\n", WTERMSIG(status));

    /* CPU accounting: a child's time shows up in RUSAGE_CHILDREN once it is reaped. */
    struct rusage before_ru, after_ru;
    getrusage(RUSAGE_CHILDREN, &before_ru);
    pid = fork();
    if (pid == 0) {
        struct timespec start, now;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
        do clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
        while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 60000000L);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    getrusage(RUSAGE_CHILDREN, &after_ru);
    long child_us = (after_ru.ru_utime.tv_sec - before_ru.ru_utime.tv_sec) * 1000000L
            + (after_ru.ru_utime.tv_usec - before_ru.ru_utime.tv_usec)
            + (after_ru.ru_stime.tv_sec - before_ru.ru_stime.tv_sec) * 1000000L
            + (after_ru.ru_stime.tv_usec - before_ru.ru_stime.tv_usec);
    printf("children cpu >= 60ms=%d\n", child_us >= 60000);

    /* With SIGCHLD ignored, children are reaped by the system: wait finds none. */
    signal(SIGCHLD, SIG_IGN);
    pid = fork();
    if (pid == 0) _exit(0);
    int waited = waitpid(pid, &status, 0);
    printf("ignored SIGCHLD: wait=%d echild=%d\n", waited, waited == -1 && errno == ECHILD);
    return 0;
}
