/*
 * The guest side of jvisor's KVM micro-VM: hypercall ABI and the tiny runtime's API.
 *
 * A hypercall passes the guest-physical address of a struct hc_block in one 32-bit write, either OUT to HC_PORT
 * or a store to the MMIO doorbell HC_DOORBELL; the VMM says which in rcx at entry (jv_hc_transport).  Port I/O is
 * the cheap exit on VT-x and AMD-V, but under KVM-PVM an OUT at CPL3 raises #GP in the guest whatever IOPL and the
 * TSS I/O bitmap say, while a store to an unbacked guest-physical page still exits as KVM_EXIT_MMIO.
 * The VMM reads the request from guest memory and writes the result into .ret before the guest resumes, so a call
 * costs exactly one exit and the VMM never needs the guest's registers.  Guest memory is identity-mapped below
 * 4 GiB, so any pointer the guest holds is also the physical address the VMM sees.
 */
#ifndef JV_H
#define JV_H

#define HC_PORT 0x510
#define HC_DOORBELL 0xd0000000ul
#define HC_TRANSPORT_MMIO 0
#define HC_TRANSPORT_PORT 1

enum hc_nr {
    HC_EXIT = 0,       /* a0 = status: ends the VM */
    HC_WRITE = 1,      /* a0 = buf, a1 = len: console output; ret = len */
    HC_FILE_SIZE = 2,  /* a0 = argv index: size of the host file named there, or -1 */
    HC_FILE_READ = 3,  /* a0 = argv index, a1 = file offset, a2 = buf, a3 = len: ret = bytes read, or -1 */
    HC_TIME = 4,       /* ret = host monotonic clock in nanoseconds */
    HC_NOP = 5,        /* ret = a0: the cheapest possible round trip */
    HC_CPU_START = 6,  /* a0 = vCPU index, a1 = entry, a2 = stack top, a3 = argument (in rdi): ret 0, or -1 */
    HC_CPU_STOP = 7,   /* ends the calling secondary vCPU */
};

struct hc_block {
    unsigned long nr;
    unsigned long a[4];
    long ret;
};

#ifndef JV_NATIVE
extern unsigned long jv_hc_transport;

static inline long hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2, unsigned long a3)
{
    volatile struct hc_block b = {nr, {a0, a1, a2, a3}, 0};
    unsigned addr = (unsigned)(unsigned long)&b;
    if (jv_hc_transport == HC_TRANSPORT_PORT)
        __asm__ volatile("outl %0, %w1" : : "a"(addr), "Nd"(HC_PORT) : "memory");
    else
        __asm__ volatile("movl %0, (%1)" : : "r"(addr), "r"(HC_DOORBELL) : "memory");
    return b.ret;
}
#endif

/* The runtime (rt.c for guests, native.c for the same programs as host processes). */
void con_write(const char *s, long n);
void print_str(const char *s);
void print_u64(unsigned long v);
void print_hex(unsigned long v, int digits);
unsigned long now_ns(void);
__attribute__((noreturn)) void jv_exit(int status);
long file_size(int argi);
long file_read(int argi, unsigned long off, void *buf, unsigned long len);
/* Starts vCPU `cpu` running fn(arg) on the given stack; fn returning stops that vCPU. 0 on success. */
int cpu_start(int cpu, void (*fn)(long), void *stack_top, long arg);
unsigned long jv_strlen(const char *s);

/* Entry point every program defines: ncpus is the VM's vCPU count (1 for a host process). */
#ifndef JV_HOST_MAIN
int main(int argc, char **argv, int ncpus);
#endif

#endif
