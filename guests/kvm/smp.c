/*
 * Several vCPUs at once: each secondary adds to a shared counter with locked instructions and hashes its own slice;
 * the boot vCPU waits for all of them.  A lost update would show as a wrong total.
 */
#include "jv.h"

#define MAX_CPUS 16
#define INCREMENTS 1000000ul

static unsigned long counter;
static volatile unsigned long done_mask;
static unsigned long results[MAX_CPUS];
static unsigned char stacks[MAX_CPUS][16384] __attribute__((aligned(16)));

static unsigned long mix(unsigned long x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdul;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ul;
    return x ^ (x >> 33);
}

static void work(long cpu)
{
    unsigned long h = (unsigned long)cpu;
    for (unsigned long i = 0; i < INCREMENTS; i++) {
        __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        h = mix(h + i);
    }
    results[cpu] = h;
    __atomic_fetch_or(&done_mask, 1ul << cpu, __ATOMIC_RELEASE);
}

/* For "smp crash": the secondaries never finish, so the VMM must pull them out of the guest itself. */
static void spin(long cpu)
{
    (void)cpu;
    for (;;) __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
}

int main(int argc, char **argv, int ncpus)
{
    if (ncpus > MAX_CPUS) ncpus = MAX_CPUS;
    if (argc > 1 && argv[1][0] == 'c') {
        for (int cpu = 1; cpu < ncpus; cpu++) cpu_start(cpu, spin, stacks[cpu] + sizeof stacks[cpu], cpu);
        while (__atomic_load_n(&counter, __ATOMIC_RELAXED) < 1000000) __asm__ volatile("pause");
        print_str("secondaries spinning; crashing the boot vCPU\n");
        __asm__ volatile("ud2");
    }
    for (int cpu = 1; cpu < ncpus; cpu++) {
        if (cpu_start(cpu, work, stacks[cpu] + sizeof stacks[cpu], cpu) != 0) {
            print_str("cpu_start failed\n");
            return 1;
        }
    }
    work(0);
    unsigned long all = ncpus >= 64 ? ~0ul : (1ul << ncpus) - 1;
    while ((__atomic_load_n(&done_mask, __ATOMIC_ACQUIRE) & all) != all) __asm__ volatile("pause");
    for (int cpu = 0; cpu < ncpus; cpu++) {
        print_str("cpu ");
        print_u64((unsigned long)cpu);
        print_str(": ");
        print_hex(results[cpu], 16);
        print_str("\n");
    }
    print_str("counter: ");
    print_u64(__atomic_load_n(&counter, __ATOMIC_RELAXED));
    print_str("\n");
    return 0;
}
