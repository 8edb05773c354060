/* The initial process state: auxiliary vector, ID registers, identity and terminal answers, time. */
#define _GNU_SOURCE
#include <elf.h>
#include <pthread.h>
#include <stdlib.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    (void)argc;
    printf("pagesz=%lu phent=%lu base=%lu secure=%lu clktck=%lu\n", getauxval(AT_PAGESZ), getauxval(AT_PHENT),
           getauxval(AT_BASE), getauxval(AT_SECURE), getauxval(AT_CLKTCK));
    printf("platform=%s execfn-is-argv0=%d random=%d\n", (char *)getauxval(AT_PLATFORM),
           strcmp((char *)getauxval(AT_EXECFN), argv[0]) == 0, getauxval(AT_RANDOM) != 0);
    printf("hwcap=%#lx hwcap2=%#lx minsigstksz=%lu\n", getauxval(AT_HWCAP), getauxval(AT_HWCAP2),
           getauxval(AT_MINSIGSTKSZ));
    const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
    int loads = 0;
    for (unsigned i = 0; i < getauxval(AT_PHNUM); i++) loads += ph[i].p_type == PT_LOAD;
    printf("phdr-loads=%d entry-ok=%d\n", loads, getauxval(AT_ENTRY) != 0);
    printf("env=%s\n", environ[0] ? "yes" : "no");

    uint64_t midr, mpidr, isar0, pfr0, zero;
    __asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    __asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
    __asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
    __asm__ volatile("mrs %0, id_aa64mmfr2_el1" : "=r"(zero));
    printf("midr=%#lx mpidr=%#lx isar0=%#lx pfr0=%#lx mmfr2=%#lx\n", midr, mpidr, isar0, pfr0, zero);

    struct utsname u;
    uname(&u);
    printf("sysname=%s machine=%s\n", u.sysname, u.machine);
    struct termios t;
    errno = 0;
    printf("tcgetattr=%d enotty=%d\n", tcgetattr(0, &t), errno == ENOTTY);
    printf("ids=%d pid=%d\n", getuid() == geteuid() && getgid() == getegid(), getpid() == (pid_t)syscall(SYS_gettid));

    struct timespec a, b, req = {0, 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("slept-enough=%d\n", ms >= 20);
    char link[4096];
    ssize_t len = readlink("/proc/self/exe", link, sizeof link - 1);
    link[len < 0 ? 0 : len] = 0;
    char *real = realpath(argv[0], NULL);
    printf("proc exe-ok=%d\n", real && strcmp(link, real) == 0);
    FILE *f = fopen("/proc/self/cmdline", "r");
    char cmd[256] = {0};
    size_t got = fread(cmd, 1, sizeof cmd, f);
    fclose(f);
    printf("proc cmdline-ok=%d\n", got == strlen(argv[0]) + 1 && strcmp(cmd, argv[0]) == 0);
    f = fopen("/proc/self/maps", "r");
    char line[512];
    int stack_line = 0, exe_lines = 0;
    unsigned long here = (unsigned long)&line;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        sscanf(line, "%lx-%lx", &lo, &hi);
        if (strstr(line, "[stack]") && lo <= here && here < hi) stack_line = 1;
        if (real && strstr(line, real)) exe_lines++;
    }
    fclose(f);
    printf("proc maps stack=%d exe-lines>=2=%d\n", stack_line, exe_lines >= 2);
    pthread_attr_t attr;
    void *stack_addr;
    size_t stack_size;
    pthread_getattr_np(pthread_self(), &attr);
    pthread_attr_getstack(&attr, &stack_addr, &stack_size);
    printf("main stack contains locals=%d\n",
           (unsigned long)stack_addr <= here && here < (unsigned long)stack_addr + stack_size);

    errno = 0;
    long r = syscall(447);
    printf("unimplemented=%ld enosys=%d\n", r, errno == ENOSYS);
    r = syscall(447);
    return 0;
}
