// Para-virtualization measured. One guest workload runs at EL1 under a hypervisor of our own at EL2 (stage 2 on, the
// guest's 2 MB mapped to itself), three ways:
//   trap       the sensitive operations are the instructions themselves: writes to TTBR0_EL1 and SCTLR_EL1, which
//              HCR_EL2.TVM traps, and a console byte stored to a device register only the hypervisor emulates (a
//              stage-2 fault); each is one VM exit, decoded from its syndrome and emulated;
//   hypercall  the guest asks for each operation with HVC: still one exit each, but nothing to decode;
//   multicall  the guest queues the operations in its memory and hands over a batch of them with one HVC.
// Interrupt masking (DAIFSet/DAIFClr) is part of every iteration too: ARM never traps it, so it costs no exit in
// any variant. The guest times each variant with its virtual counter; the hypervisor counts the exits, then
// prints a table on the PL011 and powers off with PSCI over SMC. Built as an arm64 Image for `jvisor run --el2`.

#define UART 0x09000000UL
#define CONSOLE_IPA 0x0a000000UL
#define GUEST_BASE 0x40200000UL
#define ITERATIONS 1000
#define OPS_PER_ITERATION 3
#define BATCH 32

#define HCR_VM (1UL << 0)
#define HCR_FMO (1UL << 3)
#define HCR_IMO (1UL << 4)
#define HCR_AMO (1UL << 5)
#define HCR_TVM (1UL << 26)
#define HCR_RW (1UL << 31)

enum { HC_TTBR0 = 1, HC_SCTLR, HC_PUTC, HC_MULTICALL, HC_PHASE, HC_DONE, HC_GUEST_FAULT };
enum { PHASES = 3 };

struct entry {
    unsigned long op, arg, result;
};

#define READ(reg) ({ unsigned long v_; __asm__ volatile("mrs %0, " reg : "=r"(v_)); v_; })
#define WRITE(reg, v) __asm__ volatile("msr " reg ", %0" : : "r"((unsigned long) (v)))
#define GUEST __attribute__((section(".guest")))

static unsigned long stage2_l1[512] __attribute__((aligned(4096)));
static unsigned long stage2_l2[512] __attribute__((aligned(4096)));
static unsigned long exits, exits_at_phase_start;
static unsigned long phase_exits[PHASES], phase_ticks[PHASES];
static unsigned long console_bytes, console_sum;

static void putc(char c) {
    *(volatile unsigned int *) UART = c;
}

static void puts(const char *s) {
    while (*s) putc(*s++);
}

static void putdec(unsigned long v, int width) {
    char digits[21];
    int n = 0;
    do {
        digits[n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    for (int pad = width - n; pad > 0; pad--) putc(' ');
    while (n) putc(digits[--n]);
}

static void power_off(void) {
    register unsigned long x0 __asm__("x0") = 0x84000008; // PSCI SYSTEM_OFF
    __asm__ volatile("smc #0" : "+r"(x0));
    for (;;) {
    }
}

static void fail(const char *why, unsigned long value) {
    puts("paravirt: ");
    puts(why);
    puts(" ");
    putdec(value, 0);
    puts("\n");
    power_off();
}

/** One sensitive operation, performed for the guest. */
static unsigned long perform(unsigned long op, unsigned long arg) {
    switch (op) {
    case HC_TTBR0:
        WRITE("ttbr0_el1", arg);
        return 0;
    case HC_SCTLR:
        WRITE("sctlr_el1", arg);
        return 0;
    case HC_PUTC:
        console_bytes++;
        console_sum += arg & 0xff;
        return 0;
    default:
        return -1UL;
    }
}

static void report(void) {
    static const char *const names[PHASES] = {"trap     ", "hypercall", "multicall"};
    unsigned long ops = ITERATIONS * OPS_PER_ITERATION;
    puts("paravirt: ");
    putdec(ops, 0);
    puts(" operations per variant (TTBR0_EL1 write, SCTLR_EL1 write, console byte; DAIF masking never exits)\n");
    puts("variant    exits  exits/1000 ops  ns/op\n");
    for (int p = 0; p < PHASES; p++) {
        puts(names[p]);
        putdec(phase_exits[p], 7);
        putdec(phase_exits[p] * 1000 / ops, 16);
        putdec(phase_ticks[p] * 16 / ops, 7); // the counter ticks every 16 ns (62.5 MHz)
        puts("\n");
    }
    puts("console: ");
    putdec(console_bytes, 0);
    puts(" bytes, sum ");
    putdec(console_sum, 0);
    puts(", ttbr0 ");
    putdec(READ("ttbr0_el1"), 0);
    puts("\n");
    power_off();
}

static void hypercall(unsigned long *x) {
    switch (x[0]) {
    case HC_TTBR0:
    case HC_SCTLR:
    case HC_PUTC:
        x[0] = perform(x[0], x[1]);
        break;
    case HC_MULTICALL: {
        // The batch is in the guest's memory; stage 2 maps it to itself, so its IPA is where this reads it.
        struct entry *batch = (struct entry *) x[1];
        unsigned long count = x[2];

        if (x[1] < GUEST_BASE || x[1] + count * sizeof(struct entry) > GUEST_BASE + (2UL << 20)) {
            x[0] = -1UL;
            break;
        }
        for (unsigned long i = 0; i < count; i++) batch[i].result = perform(batch[i].op, batch[i].arg);
        x[0] = count;
        break;
    }
    case HC_PHASE:
        // Ends phase x[1] (or, for -1, starts the first): the exits since the last marker, without this one.
        if (x[1] < PHASES) {
            phase_exits[x[1]] = exits - exits_at_phase_start - 1;
            phase_ticks[x[1]] = x[2];
        }
        exits_at_phase_start = exits;
        x[0] = 0;
        break;
    case HC_DONE:
        report();
        break;
    case HC_GUEST_FAULT:
        puts("paravirt: the guest took an exception, ESR_EL1 ");
        putdec(x[1], 0);

        fail("at", x[2]);
        break;
    default:
        x[0] = -1UL;
    }
}

/** A synchronous exit from the guest: emulate what trapped and step over it (a trapped instruction's address is in
 * ELR_EL2; an HVC's return address is already the next one). */
void handle_sync(unsigned long *x) {
    unsigned long esr = READ("esr_el2");
    unsigned int ec = esr >> 26;
    exits++;
    if (ec == 0x18) { // MSR to an EL1 memory-control register (TVM)
        unsigned int rt = esr >> 5 & 31, crn = esr >> 10 & 15, crm = esr >> 1 & 15, op2 = esr >> 17 & 7;
        unsigned long value = rt == 31 ? 0 : x[rt];
        if (crn == 2 && crm == 0 && op2 == 0) perform(HC_TTBR0, value);
        else if (crn == 1 && crm == 0 && op2 == 0) perform(HC_SCTLR, value);
        else fail("unexpected MSR trap, ESR_EL2", esr);
    } else if (ec == 0x24) { // stage-2 data abort: the console register, a 32-bit store with a valid syndrome
        unsigned long ipa = (READ("hpfar_el2") >> 4) << 12 | (READ("far_el2") & 0xfff);
        unsigned int srt = esr >> 16 & 31;
        if (!(esr & 1UL << 24) || !(esr & 1 << 6) || ipa != CONSOLE_IPA) fail("unexpected guest access, IPA", ipa);
        perform(HC_PUTC, srt == 31 ? 0 : x[srt]);
    } else if (ec == 0x16) {
        hypercall(x);
        return; // ELR_EL2 already holds the instruction after the HVC
    } else {
        fail("unexpected exit, ESR_EL2", esr);
    }
    WRITE("elr_el2", READ("elr_el2") + 4);
}

void unexpected_exception(unsigned long offset) {
    fail("unexpected exception at EL2, vector offset", offset);
}

void hyp_main(void) {
    stage2_l1[GUEST_BASE >> 30] = (unsigned long) stage2_l2 | 3;
    stage2_l2[(GUEST_BASE >> 21) & 511] = GUEST_BASE | 1UL << 10 | 3UL << 8 | 3UL << 6 | 0xfUL << 2 | 1;
    WRITE("vtcr_el2", 1UL << 31 | 3UL << 12 | 1UL << 10 | 1UL << 8 | 1UL << 6 | 32);
    WRITE("vttbr_el2", 1UL << 48 | (unsigned long) stage2_l1);
    WRITE("hcr_el2", HCR_RW | HCR_VM | HCR_IMO | HCR_FMO | HCR_AMO | HCR_TVM);
    WRITE("cntvoff_el2", 0);
    __asm__ volatile("isb");
}

// ---- the guest: code, data and stack in its own 2 MB, nothing it needs outside ----

/** The guest's queue of operations for a multicall; it lives in the guest's section (see the assembly below). */
extern struct entry guest_batch[BATCH * OPS_PER_ITERATION] __attribute__((visibility("hidden")));

static inline __attribute__((always_inline)) unsigned long guest_hvc(unsigned long op, unsigned long a,
                                                                       unsigned long b) {
    register unsigned long x0 __asm__("x0") = op;
    register unsigned long x1 __asm__("x1") = a;
    register unsigned long x2 __asm__("x2") = b;
    __asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2) : "memory");
    return x0;
}

static inline __attribute__((always_inline)) unsigned long guest_ticks(void) {
    unsigned long t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t) : : "memory");
    return t;
}

static inline __attribute__((always_inline)) void guest_mask_interrupts(void) {
    __asm__ volatile("msr daifset, #2; msr daifclr, #2" : : : "memory");
}

GUEST __attribute__((noinline)) void guest_main(void) {
    unsigned long start;
    guest_hvc(HC_PHASE, -1UL, 0);

    start = guest_ticks();
    for (unsigned long i = 0; i < ITERATIONS; i++) {
        WRITE("ttbr0_el1", (i & 15) << 12);
        WRITE("sctlr_el1", 0x30d00800UL);
        *(volatile unsigned int *) CONSOLE_IPA = 'a' + i % 26;
        guest_mask_interrupts();
    }
    guest_hvc(HC_PHASE, 0, guest_ticks() - start);

    start = guest_ticks();
    for (unsigned long i = 0; i < ITERATIONS; i++) {
        guest_hvc(HC_TTBR0, (i & 15) << 12, 0);
        guest_hvc(HC_SCTLR, 0x30d00800UL, 0);
        guest_hvc(HC_PUTC, 'a' + i % 26, 0);
        guest_mask_interrupts();
    }
    guest_hvc(HC_PHASE, 1, guest_ticks() - start);

    start = guest_ticks();
    unsigned long n = 0;
    for (unsigned long i = 0; i < ITERATIONS; i++) {
        guest_batch[n].op = HC_TTBR0;
        guest_batch[n++].arg = (i & 15) << 12;
        guest_batch[n].op = HC_SCTLR;
        guest_batch[n++].arg = 0x30d00800UL;
        guest_batch[n].op = HC_PUTC;
        guest_batch[n++].arg = 'a' + i % 26;
        guest_mask_interrupts();
        if (n == BATCH * OPS_PER_ITERATION) {
            guest_hvc(HC_MULTICALL, (unsigned long) guest_batch, n);
            n = 0;
        }
    }
    if (n) guest_hvc(HC_MULTICALL, (unsigned long) guest_batch, n);
    guest_hvc(HC_PHASE, 2, guest_ticks() - start);

    guest_hvc(HC_DONE, 0, 0);
    for (;;) {
    }
}

__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"                        // the arm64 Image header: jvisor run loads this at RAM + text_offset 0
    "    b hyp_entry\n"
    "    .word 0\n"
    "    .quad 0\n"                      // text_offset
    "    .quad image_end - _start\n"     // image_size
    "    .quad 0\n"                      // flags
    "    .quad 0, 0, 0\n"
    "    .ascii \"ARM\\x64\"\n"
    "    .word 0\n"
    "hyp_entry:\n"
    "    ldr x0, =hyp_stack_top\n"
    "    mov sp, x0\n"
    "    ldr x0, =hyp_vectors\n"
    "    msr vbar_el2, x0\n"
    "    bl hyp_main\n"
    "    mov x0, #0x3c5\n"               // EL1h, DAIF masked
    "    msr spsr_el2, x0\n"
    "    ldr x0, =guest_entry\n"
    "    msr elr_el2, x0\n"
    "    eret\n"

    ".macro save_and_call handler\n"
    "    sub sp, sp, #256\n"
    "    stp x0, x1, [sp, #0]\n"
    "    stp x2, x3, [sp, #16]\n"
    "    stp x4, x5, [sp, #32]\n"
    "    stp x6, x7, [sp, #48]\n"
    "    stp x8, x9, [sp, #64]\n"
    "    stp x10, x11, [sp, #80]\n"
    "    stp x12, x13, [sp, #96]\n"
    "    stp x14, x15, [sp, #112]\n"
    "    stp x16, x17, [sp, #128]\n"
    "    stp x18, x19, [sp, #144]\n"
    "    stp x20, x21, [sp, #160]\n"
    "    stp x22, x23, [sp, #176]\n"
    "    stp x24, x25, [sp, #192]\n"
    "    stp x26, x27, [sp, #208]\n"
    "    stp x28, x29, [sp, #224]\n"
    "    str x30, [sp, #240]\n"
    "    mov x0, sp\n"
    "    bl \\handler\n"
    "    b restore_and_return\n"
    ".endm\n"

    ".macro unexpected offset\n"
    "    .balign 0x80\n"
    "    mov x0, #\\offset\n"
    "    bl unexpected_exception\n"
    ".endm\n"

    ".balign 2048\n"
    "hyp_vectors:\n"
    "    unexpected 0x000\n"
    "    unexpected 0x080\n"
    "    unexpected 0x100\n"
    "    unexpected 0x180\n"
    "    unexpected 0x200\n"
    "    unexpected 0x280\n"
    "    unexpected 0x300\n"
    "    unexpected 0x380\n"
    "    .balign 0x80\n"
    "    save_and_call handle_sync\n"    // 0x400: synchronous, from the guest
    "    unexpected 0x480\n"
    "    unexpected 0x500\n"
    "    unexpected 0x580\n"
    "    unexpected 0x600\n"
    "    unexpected 0x680\n"
    "    unexpected 0x700\n"
    "    unexpected 0x780\n"

    "restore_and_return:\n"
    "    ldp x0, x1, [sp, #0]\n"
    "    ldp x2, x3, [sp, #16]\n"
    "    ldp x4, x5, [sp, #32]\n"
    "    ldp x6, x7, [sp, #48]\n"
    "    ldp x8, x9, [sp, #64]\n"
    "    ldp x10, x11, [sp, #80]\n"
    "    ldp x12, x13, [sp, #96]\n"
    "    ldp x14, x15, [sp, #112]\n"
    "    ldp x16, x17, [sp, #128]\n"
    "    ldp x18, x19, [sp, #144]\n"
    "    ldp x20, x21, [sp, #160]\n"
    "    ldp x22, x23, [sp, #176]\n"
    "    ldp x24, x25, [sp, #192]\n"
    "    ldp x26, x27, [sp, #208]\n"
    "    ldp x28, x29, [sp, #224]\n"
    "    ldr x30, [sp, #240]\n"
    "    add sp, sp, #256\n"
    "    eret\n"
    ".ltorg\n"

    ".bss\n"
    ".balign 16\n"
    "    .skip 8192\n"
    "hyp_stack_top:\n"

    ".section .guest, \"ax\"\n"
    "guest_entry:\n"
    "    ldr x0, =guest_stack_top\n"
    "    mov sp, x0\n"
    "    ldr x0, =guest_vectors\n"
    "    msr vbar_el1, x0\n"
    "    bl guest_main\n"
    "1:  b 1b\n"
    ".ltorg\n"
    ".balign 2048\n"
    "guest_vectors:\n"                // the guest expects no exception: any one is reported to the hypervisor
    ".rept 16\n"
    "    .balign 0x80\n"
    "    mrs x1, esr_el1\n"
    "    mrs x2, elr_el1\n"
    "    mov x0, #7\n"                 // HC_GUEST_FAULT
    "    hvc #0\n"
    ".endr\n"
    ".balign 16\n"
    ".global guest_batch\n"
    "guest_batch:\n"
    "    .skip 96 * 24\n"
    ".balign 16\n"
    "    .skip 8192\n"
    "guest_stack_top:\n"
    "image_end:\n"
    ".text\n");
